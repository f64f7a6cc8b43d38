"""LTI role URIs (full and short forms, context and institution) mapped to the course roles of this tool."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class CourseRole(StrEnum):
    """The roles an enrollment can have in a course."""

    LEARNER = "learner"
    ASSISTANT = "assistant"
    INSTRUCTOR = "instructor"


MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
INSTITUTION = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#"
SYSTEM = "http://purl.imsglobal.org/vocab/lis/v2/system/person#"
TEACHING_ASSISTANT_SUBROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"

_CONTEXT = {
    "Instructor": CourseRole.INSTRUCTOR,
    "ContentDeveloper": CourseRole.INSTRUCTOR,
    "Administrator": CourseRole.INSTRUCTOR,
    "TeachingAssistant": CourseRole.ASSISTANT,
    "Learner": CourseRole.LEARNER,
}
_INSTITUTION = {
    "Instructor": CourseRole.INSTRUCTOR,
    "Faculty": CourseRole.INSTRUCTOR,
    "Administrator": CourseRole.INSTRUCTOR,
    "Learner": CourseRole.LEARNER,
    "Student": CourseRole.LEARNER,
}
_SYSTEM = {"Administrator": CourseRole.INSTRUCTOR, "SysAdmin": CourseRole.INSTRUCTOR}
_RANK = {CourseRole.LEARNER: 0, CourseRole.ASSISTANT: 1, CourseRole.INSTRUCTOR: 2}


def _context_role(role: str) -> CourseRole | None:
    """The course role of one context role: full URI, sub-role URI, LTI 1.1 URN or the short form."""
    if role == TEACHING_ASSISTANT_SUBROLE:
        return CourseRole.ASSISTANT
    for prefix in (MEMBERSHIP, "urn:lti:role:ims/lis/", ""):
        if role.startswith(prefix) and role[len(prefix) :] in _CONTEXT:
            return _CONTEXT[role[len(prefix) :]]
    if role.startswith("http://purl.imsglobal.org/vocab/lis/v2/membership/"):
        # Other sub-roles, e.g. membership/Learner#Learner or membership/Instructor#Grader.
        principal = role.rsplit("/", 1)[-1].split("#", 1)[0]
        return _CONTEXT.get(principal)
    return None


def _institution_role(role: str) -> CourseRole | None:
    """The course role of one institution or system role (full URI or LTI 1.1 URN)."""
    for prefix, table in (
        (INSTITUTION, _INSTITUTION),
        ("urn:lti:instrole:ims/lis/", _INSTITUTION),
        (SYSTEM, _SYSTEM),
        ("urn:lti:sysrole:ims/lis/", _SYSTEM),
    ):
        if role.startswith(prefix):
            return table.get(role[len(prefix) :])
    return None


def course_role(roles: Iterable[str]) -> CourseRole | None:
    """The course role for a member's LTI roles, or None when none of them means anything here.

    Context roles decide when there are any (an institution's instructor who is a learner in this
    course is a learner); institution and system roles are the fallback. The TeachingAssistant
    sub-role refines Instructor, so it makes an assistant unless ContentDeveloper or Administrator
    is also held in the context. Otherwise the highest role wins.
    """
    roles = [role.strip() for role in roles if role and role.strip()]
    in_context = {mapped for role in roles if (mapped := _context_role(role)) is not None}
    if in_context:
        teaching_assistant = any(_is_teaching_assistant(role) for role in roles)
        other_staff = any(_is_staff_not_instructor(role) for role in roles)
        if teaching_assistant and not other_staff:
            return CourseRole.ASSISTANT
        return max(in_context, key=_RANK.__getitem__)
    institutional = {mapped for role in roles if (mapped := _institution_role(role)) is not None}
    return max(institutional, key=_RANK.__getitem__) if institutional else None


def _is_teaching_assistant(role: str) -> bool:
    """Whether a role is the TeachingAssistant role or sub-role in any spelling."""
    return role == TEACHING_ASSISTANT_SUBROLE or role in (
        MEMBERSHIP + "TeachingAssistant",
        "urn:lti:role:ims/lis/TeachingAssistant",
        "TeachingAssistant",
    )


def _is_staff_not_instructor(role: str) -> bool:
    """Whether a role is the ContentDeveloper or Administrator context role in any spelling."""
    names = ("ContentDeveloper", "Administrator")
    return any(role in (MEMBERSHIP + name, "urn:lti:role:ims/lis/" + name, name) for name in names)
