"""The engine's version, stamped on every workbook and report it writes."""

__version__ = "0.1.0"
