"""Who may see what: lookups that abort with 403/404 and the enrollment guard."""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import abort, flash, g, redirect, url_for
from flask_login import current_user, login_required

from ..domain.course import Lesson
from ..extensions import db
from ..models import Attempt, Enrollment
from ..services.progress import enrollment_for
from .course_scope import current_course


def lesson_or_404(lesson_id: str) -> Lesson:
    """Return the lesson with this id; abort with 404 if the course has none."""
    lesson = current_course().lesson(lesson_id)
    if lesson is None:
        abort(404, description="There is no lesson with that address in this course.")
    return lesson


def cached_enrollments() -> dict[tuple[int, str], Enrollment | None]:
    """This request's enrollments by (user id, course id); the user loader fills it in its query."""
    return g.setdefault("enrollments", {})


def current_enrollment() -> Enrollment | None:
    """Return the signed-in user's enrollment in this URL's course (cached per request), or None."""
    course = current_course()
    if course is None or not current_user.is_authenticated:
        return None
    key = (current_user.id, course.id)
    cache = cached_enrollments()
    if key not in cache:
        cache[key] = enrollment_for(current_user.id, course.id)
    return cache[key]


def enrollment_required(view):
    """Let only enrolled learners through: anonymous users go to sign in, others to the outline."""

    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_enrollment() is None:
            flash("Enroll in the course to open its lessons and quizzes.", "info")
            return redirect(url_for("course.outline"))
        return view(*args, **kwargs)

    return wrapped


def instructor_required(view):
    """Let only instructors through: anonymous users go to sign in, learners get 403."""

    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_instructor:
            abort(403, description="This page is for instructors.")
        return view(*args, **kwargs)

    return wrapped


def own_attempt_or_abort(attempt_id: int) -> Attempt:
    """Return the current learner's attempt; 404 if it does not exist, 403 if it is someone else's."""
    attempt = db.get_or_404(Attempt, attempt_id, description="There is no such quiz attempt.")
    enrollment = current_enrollment()
    if enrollment is None or attempt.enrollment_id != enrollment.id:
        abort(403, description="This attempt belongs to another learner.")
    return attempt


def is_safe_redirect(target: str | None) -> bool:
    """True if target is a path on this site (no scheme, no host, no protocol-relative trick)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
