"""The pure core: enrolment checks, cover spells and the claim calculator.

Nothing here reads files, the clock, the database or the environment: DataFrames and dated
parameters in, decisions and findings out. `tests/test_architecture.py` checks the imports.
"""
