"""What a validated launch does here: account, cohort for the context, enrollment with the role, the page to open."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...domain.catalog import Catalog
from ...domain.course import Course
from ...extensions import db
from ...lti.messages import LaunchMessage
from ...models import (
    STAFF_ROLES,
    Cohort,
    Enrollment,
    LtiContext,
    LtiPlatform,
    LtiResourceLink,
    StaffCohort,
    User,
    utcnow,
)
from ..cohorts import ensure_default_cohort, staff_cohort_ids
from ..enrollments import enroll_in_cohort
from ..identities import account_for_identity
from ..progress import enrollment_for, insert_progress_rows
from .platforms import find_platform

COURSE_PATH = re.compile(r"/courses/(?P<course>[^/]+)(?:/(?P<kind>lessons|quizzes)/(?P<lesson>[^/?#]+))?")
TARGETS = ("course", "lesson", "quiz")
LTI_COHORT_PREFIX = "lti-"  # the slug of every cohort made for a platform's context


class LaunchRefused(ValueError):
    """A valid launch the tool cannot serve (no course role, unknown course or lesson); `code` names it."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Target:
    """Where a link points: a course, one of its lessons, or that lesson's quiz."""

    course: Course
    lesson_id: str | None = None
    kind: str = "course"


@dataclass(frozen=True)
class LaunchOutcome:
    """The signed-in account, its enrollment, and the page to open."""

    user: User
    enrollment: Enrollment
    target: Target
    context: LtiContext | None
    created_account: bool


def resolve_target(message: LaunchMessage, catalog: Catalog, default_course_id: str | None) -> Target:
    """The course and lesson the link names (custom parameters, else the target URL); raises LaunchRefused."""
    custom = message.custom
    # Custom parameters (set by deep linking) name the page; else a target URL of one of our pages does.
    path = None if custom.get("course_id") else COURSE_PATH.search(urlsplit(message.target_link_uri or "").path)
    if path is not None:
        course_id, lesson_id = path["course"], path["lesson"]
        kind = {"quizzes": "quiz", "lessons": "lesson"}.get(path["kind"] or "", "course")
    else:
        course_id = custom.get("course_id") or default_course_id
        lesson_id = custom.get("lesson_id") or None
        kind = custom.get("target") or ("lesson" if lesson_id else "course")
    course = catalog.get(course_id) if course_id else catalog.default
    if course is None:
        raise LaunchRefused("unknown_course", f"the link names course {course_id!r}, which this tool does not have")
    if kind not in TARGETS:
        raise LaunchRefused("unknown_target", f"the link asks for {kind!r}, not one of {', '.join(TARGETS)}")
    if lesson_id is not None and lesson_id not in course.lesson_ids:
        raise LaunchRefused("unknown_lesson", f"course {course.id} has no lesson {lesson_id!r}")
    if kind != "course" and lesson_id is None:
        raise LaunchRefused("unknown_lesson", f"the link asks for a {kind} but names no lesson")
    return Target(course, lesson_id, kind)


def _cohort_slug(platform: LtiPlatform, deployment_id: str, context_id: str) -> str:
    """A stable slug for a context's cohort, short and within the cohort slug's alphabet."""
    digest = hashlib.sha256(f"{platform.id}\n{deployment_id}\n{context_id}".encode()).hexdigest()[:12]
    return f"{LTI_COHORT_PREFIX}{digest}"


def context_for(platform: LtiPlatform, message: LaunchMessage, course: Course) -> LtiContext | None:
    """The context's record and cohort, created on its first launch; None for a launch without a context."""
    if message.context_id is None:
        return None
    query = select(LtiContext).where(
        LtiContext.platform_id == platform.id,
        LtiContext.deployment_id == message.deployment_id,
        LtiContext.context_id == message.context_id,
    )
    context = db.session.execute(query).scalar_one_or_none()
    if context is None:
        slug = _cohort_slug(platform, message.deployment_id, message.context_id)
        cohort = db.session.execute(
            select(Cohort).where(Cohort.course_id == course.id, Cohort.slug == slug)
        ).scalar_one_or_none()
        if cohort is None:
            name = (message.context_title or message.context_label or message.context_id)[:100]
            cohort = Cohort(course_id=course.id, slug=slug, name=name)
            db.session.add(cohort)
            db.session.flush()
        context = LtiContext(
            platform_id=platform.id,
            deployment_id=message.deployment_id,
            context_id=message.context_id,
            course_id=course.id,
            cohort_id=cohort.id,
        )
        try:
            with db.session.begin_nested():
                db.session.add(context)
        except IntegrityError:  # a concurrent first launch of the same context made it
            context = db.session.execute(query).scalar_one()
    if context.course_id != course.id:
        raise LaunchRefused(
            "context_of_other_course",
            f"this course of the platform is linked to course {context.course_id}, not {course.id}",
        )
    context.title = message.context_title or context.title
    if message.ags is not None:
        context.lineitems_url = message.ags.lineitems_url or context.lineitems_url
        context.ags_scopes = " ".join(message.ags.scopes)
    if message.nrps is not None:
        context.memberships_url = message.nrps.context_memberships_url
    return context


def _resource_link(context: LtiContext, message: LaunchMessage, target: Target) -> None:
    """Record the link and its line item, so that grades for it go to the right gradebook column."""
    if message.resource_link_id is None:
        return
    query = select(LtiResourceLink).where(
        LtiResourceLink.context_id == context.id, LtiResourceLink.resource_link_id == message.resource_link_id
    )
    link = db.session.execute(query).scalar_one_or_none()
    if link is None:
        link = LtiResourceLink(context_id=context.id, resource_link_id=message.resource_link_id)
        db.session.add(link)
    link.title = message.resource_link_title
    link.course_id = target.course.id
    link.lesson_id = target.lesson_id
    if message.ags is not None and message.ags.lineitem_url:
        link.line_item_url = message.ags.lineitem_url
    db.session.flush()


def _enrollment(user: User, course: Course, context: LtiContext | None, role: str) -> Enrollment:
    """Enroll with the platform's role in the context's cohort; the platform's role wins over an older one.

    Staff who arrive from a platform's course see that course's cohort only, not other schools' learners.
    """
    existing = enrollment_for(user.id, course.id)
    if existing is None:
        cohort = (
            db.session.get(Cohort, context.cohort_id) if context else ensure_default_cohort(course.id, None, utcnow())
        )
        enrollment = enroll_in_cohort(user.id, course, cohort, role)
        if context is not None and role in STAFF_ROLES:
            db.session.add(StaffCohort(enrollment_id=enrollment.id, cohort_id=cohort.id))
            db.session.flush()
        return enrollment
    limits = staff_cohort_ids(existing.id)
    if context is not None and role in STAFF_ROLES and limits is not None and context.cohort_id not in limits:
        db.session.add(StaffCohort(enrollment_id=existing.id, cohort_id=context.cohort_id))
    if existing.role != role:
        existing.role = role
        if role == "learner":
            insert_progress_rows(existing.id, course.lesson_ids)
    existing.last_activity_at = utcnow()
    existing.active = True  # back in the platform's course
    db.session.flush()
    return existing


def record_launch(message: LaunchMessage, catalog: Catalog) -> LaunchOutcome:
    """Map the launch to an account, cohort and enrollment (flush only); raises LaunchRefused, writing nothing."""
    platform = find_platform(message.issuer, message.client_id)
    if platform is None:  # removed between validation and now
        raise LaunchRefused("unknown_platform", f"{message.issuer} is no longer registered")
    if message.course_role is None:
        raise LaunchRefused("no_course_role", f"none of the roles {list(message.roles)} has a place in a course here")
    target = resolve_target(message, catalog, platform.course_id)
    name = message.name or " ".join(filter(None, (message.given_name, message.family_name))) or message.subject
    user, created = account_for_identity(message.issuer, message.subject, name, message.email)
    context = context_for(platform, message, target.course)
    if context is not None:
        _resource_link(context, message, target)
    enrollment = _enrollment(user, target.course, context, str(message.course_role))
    return LaunchOutcome(user, enrollment, target, context, created)
