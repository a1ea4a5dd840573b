"""The appraisal workbook: a `Book` of sheets laid out over the engine's line definitions, the
writer that renders them to .xlsx, and reading an edited workbook back (`import-xlsx`)."""
