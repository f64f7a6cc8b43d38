"""Tables and their invariants, by aggregate: accounts, cohorts, learning (enrollments, progress, attempts), drafts."""

from .accounts import User, UserIdentity
from .base import UTCDateTime, utcnow
from .cohorts import DEFAULT_COHORT_SLUG, Cohort, StaffCohort
from .drafts import AttemptDraft
from .learning import ROLES, STAFF_ROLES, Attempt, AttemptAnswer, Enrollment, LessonProgress

__all__ = [
    "DEFAULT_COHORT_SLUG",
    "ROLES",
    "STAFF_ROLES",
    "Attempt",
    "AttemptAnswer",
    "AttemptDraft",
    "Cohort",
    "Enrollment",
    "LessonProgress",
    "StaffCohort",
    "UTCDateTime",
    "User",
    "UserIdentity",
    "utcnow",
]
