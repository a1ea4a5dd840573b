"""The committee paper: a Word (and PDF) appraisal report a council can attach to a cabinet paper.

`content.gather` computes every figure with the functions behind the CLI; `document.paper_docx`
lays them out with Word's own styles (`word`), the title, summary, portfolio and interventions
itself, the analyses in `sections`, the assumptions log, risks and methods in `appendix`, numbers
as the app shows them (`shown`); `charts` renders the app's charts to PNG, `pdf` has LibreOffice
print the document, and `report` reads the files and writes the results atomically.
"""
