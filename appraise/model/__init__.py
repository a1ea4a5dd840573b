"""The file format: what a user writes (portfolios, interventions, evidence, baselines, claims,
actuals), validated with pydantic, and reading and writing those files safely.

Lowest layer but `appraise.errors`: nothing here imports the engine, the analyses or the views.
"""
