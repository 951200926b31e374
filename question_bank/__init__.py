"""Pure question-bank logic: models, validation, paper assembly and scoring.

Imports neither Flask nor SQLAlchemy; everything here takes and returns plain values.
"""
