"""The Streamlit app: a thin layer of pages, inputs and charts over `appraise.engine.results`.

`session` holds the portfolio being edited and runs it (cached); `runs` holds every cached run
(the appraisal, the simulation, the forecast, the claims and actuals checks); `inputs` binds
widgets to field paths; `charts` builds Altair charts from results; `layout` has what every page
shares (`View`, `Page`); `pages` lays out the pages (one function a page, listed in
`pages.PAGES`), with the Uncertainty, Forecast, Verify and Programme pages in `uncertainty`,
`forecast`, `claims` and `programme` (which caches its own run); `main` is what `app.py` runs. No
appraisal formula lives here.
"""
