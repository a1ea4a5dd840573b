"""The Streamlit app: a thin layer of pages, inputs and charts over `appraise.results`.

`session` holds the portfolio being edited and runs it (cached); `inputs` binds widgets to field
paths; `charts` builds Altair charts from results; `pages` lays them out (one function a page,
listed in `pages.PAGES`); `main` is what `app.py` runs. No appraisal formula lives here.
"""
