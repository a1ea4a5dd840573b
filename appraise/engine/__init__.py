"""The calculation engine: the parameter registry, the one definition of every line item, the
vectorised core that evaluates them, the solver, and the registry of result figures.

Pure: no file reading, no printing. Imports only `appraise.model` and `appraise.errors`.
"""
