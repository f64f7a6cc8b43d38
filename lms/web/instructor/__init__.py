"""The instructor's workspace: roster, learner review, quiz analysis, cohorts and CSV exports."""

from . import cohorts, exports, lti, views
from .blueprint import bp

__all__ = ["bp", "cohorts", "exports", "lti", "views"]
