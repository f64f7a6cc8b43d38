"""Tables and their invariants, by aggregate: accounts, cohorts, learning, sessions, what deleted accounts keep."""

from .accounts import User, UserIdentity
from .base import MAX_ID, UTCDateTime, utcnow
from .cohorts import DEFAULT_COHORT_SLUG, Cohort, StaffCohort
from .learning import ROLES, STAFF_ROLES, Attempt, AttemptAnswer, Enrollment, LessonProgress
from .retained import RetainedAttempts
from .sessions import UserSession

__all__ = [
    "DEFAULT_COHORT_SLUG",
    "MAX_ID",
    "ROLES",
    "STAFF_ROLES",
    "Attempt",
    "AttemptAnswer",
    "Cohort",
    "Enrollment",
    "LessonProgress",
    "RetainedAttempts",
    "StaffCohort",
    "UTCDateTime",
    "User",
    "UserIdentity",
    "UserSession",
    "utcnow",
]
