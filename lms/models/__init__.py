"""Tables and their invariants, by aggregate: accounts, cohorts, learning (enrollments, progress, attempts), LTI."""

from .accounts import User, UserIdentity
from .base import UTCDateTime, utcnow
from .cohorts import DEFAULT_COHORT_SLUG, Cohort, StaffCohort
from .learning import ROLES, STAFF_ROLES, Attempt, AttemptAnswer, Enrollment, LessonProgress
from .lti import (
    LtiContext,
    LtiDeployment,
    LtiGradeOutbox,
    LtiNonce,
    LtiPlatform,
    LtiRegistrationToken,
    LtiResourceLink,
    LtiRetiredKey,
)

__all__ = [
    "DEFAULT_COHORT_SLUG",
    "ROLES",
    "STAFF_ROLES",
    "Attempt",
    "AttemptAnswer",
    "Cohort",
    "Enrollment",
    "LessonProgress",
    "LtiContext",
    "LtiDeployment",
    "LtiGradeOutbox",
    "LtiNonce",
    "LtiPlatform",
    "LtiRegistrationToken",
    "LtiResourceLink",
    "LtiRetiredKey",
    "StaffCohort",
    "UTCDateTime",
    "User",
    "UserIdentity",
    "utcnow",
]
