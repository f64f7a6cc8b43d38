"""Who may see what: roles per course, lookups that abort with 403/404, and the enrollment guard."""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import abort, flash, g, redirect, request, url_for
from flask_login import current_user, login_required

from ..domain.course import Lesson
from ..extensions import db
from ..models import STAFF_ROLES, Attempt, Cohort, Enrollment, LessonProgress, ProgressRecord
from ..services.cohorts import cohort_by_slug, staff_cohort_ids
from ..services.progress import enrollment_for, progress_by_lesson
from .course_scope import current_course
from .request_globals import app_globals, signed_in_user
from .sessions import CourseRecords, course_records

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def lesson_or_404(lesson_id: str) -> Lesson:
    """Return the lesson with this id; abort with 404 if the course has none."""
    lesson = current_course().lesson(lesson_id)
    if lesson is None:
        abort(404, description="There is no lesson with that address in this course.")
    return lesson


def cached_enrollments() -> dict[tuple[int, str], Enrollment | None]:
    """This request's enrollments by (user id, course id); the user loader fills it in its query."""
    return app_globals().setdefault("enrollments", {})


def current_enrollment() -> Enrollment | None:
    """Return the signed-in user's enrollment in this URL's course (cached per request), or None."""
    course = current_course()
    if course is None:
        return None
    user = signed_in_user()  # pages ask this several times: no proxy lookups
    if not user.is_authenticated:
        return None
    key = (user.id, course.id)
    cache = cached_enrollments()
    if key not in cache:
        cache[key] = enrollment_for(user.id, course.id)
    return cache[key]


def current_progress(enrollment: Enrollment | None = None) -> dict[str, LessonProgress | ProgressRecord]:
    """The signed-in learner's progress rows in this course by lesson id, as this request began.

    Usually brought by the session's query; a read for pages, never for writes (which lock and reload).
    A view holding current_enrollment() passes it: one lookup less.
    """
    enrollment = enrollment if enrollment is not None else current_enrollment()
    records = _records_of(enrollment)
    return records.progress if records is not None else progress_by_lesson(enrollment)


def current_quiz_rules(enrollment: Enrollment | None = None) -> tuple[tuple, ...] | None:
    """The signed-in learner's quiz rule rows in this course as this request began, or None to query them.

    Brought by the session's query, for pages (services.attempts.quiz_limits); writes lock and read their own.
    A view holding current_enrollment() passes it.
    """
    records = _records_of(enrollment if enrollment is not None else current_enrollment())
    return records.quiz_rules if records is not None else None


def _records_of(enrollment: Enrollment) -> CourseRecords | None:
    """What the session's query brought for this enrollment, or None (another account's, or not read)."""
    records = course_records(enrollment.course_id)
    return records if records is not None and records.enrollment is enrollment else None


def current_role() -> str | None:
    """The signed-in user's role in this course: an administrator acts as instructor everywhere."""
    user = signed_in_user()
    if not user.is_authenticated or current_course() is None:
        return None
    if user.is_admin:
        return "instructor"
    enrollment = current_enrollment()
    return enrollment.role if enrollment is not None else None


def is_staff() -> bool:
    """True if the signed-in user may see this course's instructor pages."""
    return current_role() in STAFF_ROLES


def can_change() -> bool:
    """True if the signed-in user may change things on the instructor pages (assistants only look)."""
    return current_role() == "instructor"


def staff_cohorts() -> frozenset[int] | None:
    """The cohorts the signed-in staff member is limited to in this course; None means every cohort."""
    if "staff_cohorts" not in g:
        enrollment = current_enrollment()
        limited = not current_user.is_admin and enrollment is not None
        g.staff_cohorts = staff_cohort_ids(enrollment.id) if limited else None
    return g.staff_cohorts


def visible_cohorts(slug: str | None) -> frozenset[int] | None:
    """The cohorts a page shows: the ?cohort= one (404 if unknown or outside the staff's), else the staff's."""
    allowed = staff_cohorts()
    if not slug or slug.isspace():  # as the forms' Optional() reads it: blank is no choice
        return allowed
    cohort = cohort_by_slug(current_course().id, slug)
    if cohort is None or (allowed is not None and cohort.id not in allowed):
        abort(404, description="There is no such cohort in this course.")
    return frozenset({cohort.id})


def may_see_cohort(cohort_id: int) -> bool:
    """True if the signed-in staff member may see the learners of this cohort."""
    allowed = staff_cohorts()
    return allowed is None or cohort_id in allowed


def enrollment_required(view):
    """Let only enrolled people through: anonymous users go to sign in, others to the outline."""

    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_enrollment() is None:
            flash("Enroll in the course to open its lessons and quizzes.", "info")
            return redirect(url_for("course.outline"))
        return view(*args, **kwargs)

    return wrapped


def course_role_required(*roles: str):
    """Let only these roles of this course through (admins count as instructors): others get 403."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_role() not in roles:
                abort(403, description="This page is for the course's instructors.")
            return view(*args, **kwargs)

        return wrapped

    return decorator


def staff_guard() -> None:
    """Before every instructor page: staff only; assistants may look, but every change is an instructor's."""
    if not current_user.is_authenticated:
        return None  # the view's login_required sends them to sign in
    if not is_staff():
        abort(403, description="This page is for the course's instructors.")
    if request.method not in SAFE_METHODS and not can_change():
        abort(403, description="Teaching assistants can view these pages but not change anything.")
    return None


def own_attempt_or_abort(attempt_id: int) -> Attempt:
    """Return the current learner's attempt; 404 if it does not exist or is of another course, 403 if someone else's."""
    attempt = db.get_or_404(Attempt, attempt_id, description="There is no such quiz attempt.")
    if attempt.course_id != current_course().id:
        abort(404, description="There is no such quiz attempt.")
    enrollment = current_enrollment()
    if enrollment is None or attempt.enrollment_id != enrollment.id:
        abort(403, description="This attempt belongs to another learner.")
    return attempt


def cohort_or_404(cohort_id: int) -> Cohort:
    """Return a cohort of this course the staff member may see; 404 otherwise."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or cohort.course_id != current_course().id or not may_see_cohort(cohort.id):
        abort(404, description="There is no such cohort in this course.")
    return cohort


def is_safe_redirect(target: str | None) -> bool:
    """True if target is a path on this site (no scheme, no host, no protocol-relative trick)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
