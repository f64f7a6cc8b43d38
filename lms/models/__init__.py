"""Tables and their invariants, by aggregate: accounts, cohorts, learning (enrollments, attempts), overrides, LTI."""

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
from .overrides import OVERRIDE_ACTIONS, AttemptLimit, LearnerQuizOverride, OverrideEvent

__all__ = [
    "DEFAULT_COHORT_SLUG",
    "OVERRIDE_ACTIONS",
    "ROLES",
    "STAFF_ROLES",
    "Attempt",
    "AttemptAnswer",
    "AttemptLimit",
    "Cohort",
    "Enrollment",
    "LearnerQuizOverride",
    "LessonProgress",
    "LtiContext",
    "LtiDeployment",
    "LtiGradeOutbox",
    "LtiNonce",
    "LtiPlatform",
    "LtiRegistrationToken",
    "LtiResourceLink",
    "LtiRetiredKey",
    "OverrideEvent",
    "StaffCohort",
    "UTCDateTime",
    "User",
    "UserIdentity",
    "utcnow",
]
