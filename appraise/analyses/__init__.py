"""Analyses built on the engine: uncertainty (simulation and sensitivity), verifying claims,
tracking actuals, and the baseline forecast of the cost of doing nothing."""
