"""The instructor's workspace: roster, learner review, quiz analysis, overrides, cohorts and CSV exports."""

from . import cohorts, exports, lti, overrides, views
from .blueprint import bp

__all__ = ["bp", "cohorts", "exports", "lti", "overrides", "views"]
