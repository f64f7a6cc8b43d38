"""Pure course logic: loading and validating packs, grading, readiness.

Nothing here imports Flask, SQLAlchemy or the rest of lms (a test enforces it).
"""
