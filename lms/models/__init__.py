"""Tables and their invariants, by aggregate: accounts, cohorts, learning, drafts, overrides, sessions, LTI."""

from .accounts import User, UserIdentity
from .base import MAX_ID, UTCDateTime, utcnow
from .cohorts import DEFAULT_COHORT_SLUG, Cohort, StaffCohort
from .drafts import AttemptDraft
from .learning import ROLES, STAFF_ROLES, Attempt, AttemptAnswer, Enrollment, LessonProgress, ProgressRecord
from .lti import (
    LtiContext,
    LtiDeployment,
    LtiGradeOutbox,
    LtiHandoff,
    LtiNonce,
    LtiPlatform,
    LtiRegistrationToken,
    LtiResourceLink,
    LtiRetiredKey,
)
from .mail import MailOutbox
from .overrides import OVERRIDE_ACTIONS, AttemptLimit, LearnerQuizOverride, OverrideEvent
from .retained import RetainedAttempts
from .sessions import UserSession

__all__ = [
    "DEFAULT_COHORT_SLUG",
    "MAX_ID",
    "OVERRIDE_ACTIONS",
    "ROLES",
    "STAFF_ROLES",
    "Attempt",
    "AttemptAnswer",
    "AttemptDraft",
    "AttemptLimit",
    "Cohort",
    "Enrollment",
    "LearnerQuizOverride",
    "LessonProgress",
    "LtiContext",
    "LtiDeployment",
    "LtiGradeOutbox",
    "LtiHandoff",
    "LtiNonce",
    "LtiPlatform",
    "LtiRegistrationToken",
    "LtiResourceLink",
    "LtiRetiredKey",
    "MailOutbox",
    "OverrideEvent",
    "ProgressRecord",
    "RetainedAttempts",
    "StaffCohort",
    "UTCDateTime",
    "User",
    "UserIdentity",
    "UserSession",
    "utcnow",
]
