"""The learner's course: outline, enrollment, lessons and the readiness dashboard."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from ..domain.course import Course, Lesson
from ..domain.next_step import band_goal
from ..extensions import db
from ..services.attempts import quiz_limits
from ..services.cohorts import default_cohort
from ..services.enrollments import EnrollmentRefused, enroll
from ..services.progress import course_progress_from_rows, mark_read, record_view
from .access import (
    current_course,
    current_enrollment,
    current_progress,
    current_quiz_rules,
    enrollment_required,
    lesson_or_404,
)
from .course_scope import COURSE_PREFIX
from .forms import EnrollForm
from .presenters import band_goal_text, band_rules, continue_step, out_of_attempts
from .progress_view import progress_view
from .throttle import enrollment_code_failed, enrollment_code_wait, throttled

bp = Blueprint("course", __name__, url_prefix=COURSE_PREFIX)

REFUSALS = {
    "wrong-code": "That enrollment code is not right. Ask your instructor for the course's code.",
    "not-open-yet": "The cohort “{cohort}” does not take enrollments yet: it opens on {opens}.",
    "closed": "The cohort “{cohort}” closed to new enrollments on {closes}.",
}


def _needs_code() -> bool:
    """True if enrolling without a code is refused (the default cohort, or the setting it will get, has one)."""
    cohort = default_cohort(current_course().id)
    return bool(cohort.enrollment_code if cohort is not None else current_app.config["ENROLLMENT_CODE"])


@bp.route("/")
def outline():
    """Show the course outline; with the learner's status per lesson when enrolled."""
    course = current_course()
    enrollment = current_enrollment()
    progress = course_progress_from_rows(course, current_progress(enrollment)) if enrollment else None
    step = None
    if enrollment:
        open_ids: dict[str, int] = {}
        limits = quiz_limits(enrollment, course, open_ids, current_quiz_rules(enrollment))
        step = continue_step(course, progress.lessons, open_ids, limits)
    return render_template(
        "course/outline.html",
        course=course,
        progress=progress,
        step=step,
        # Only for who can enroll: the form's CSRF token would open a stored session for every visitor.
        enroll_form=EnrollForm() if current_user.is_authenticated and enrollment is None else None,
        needs_code=current_user.is_authenticated and enrollment is None and _needs_code(),
    )


@bp.route("/enroll", methods=["POST"])
@login_required
def enroll_in_course():
    """Enroll the signed-in user, in the cohort their code names (or the default cohort)."""
    form = EnrollForm()
    if not form.validate_on_submit():
        abort(400, description="The enrollment form was not complete.")
    course = current_course()
    if wait := enrollment_code_wait(current_user.id):
        return throttled(wait)
    try:
        enroll(current_user.id, course, form.code.data, current_app.config["ENROLLMENT_CODE"])
    except EnrollmentRefused as refused:
        db.session.rollback()
        if refused.reason == "wrong-code":
            enrollment_code_failed(current_user.id)
        cohort = refused.cohort
        flash(
            REFUSALS[refused.reason].format(
                cohort=cohort.name if cohort else "",
                opens=f"{cohort.opens_at:%d %b %Y, %H:%M} UTC" if cohort and cohort.opens_at else "",
                closes=f"{cohort.closes_at:%d %b %Y, %H:%M} UTC" if cohort and cohort.closes_at else "",
            ),
            "error",
        )
        return redirect(url_for("course.outline"))
    db.session.commit()
    flash(f"You are enrolled in {course.title}. Start with the first lesson.", "success")
    return redirect(url_for("course.lesson", lesson_id=course.lessons[0].id))


def lesson_content(course: Course, lesson: Lesson) -> Markup:
    """The lesson's header, objectives, contents and text: the same for every learner, so rendered once per process.

    Kept per course pack lesson (drafts in preview render their own); a reloaded pack has new
    Lesson objects, which replace the old entry.
    """
    rendered = current_app.extensions.setdefault("lms.lesson_content", {})
    found = rendered.get((course.id, lesson.id))
    if found is None or found[0] is not lesson:
        html = Markup(render_template("course/_lesson_content.html", course=course, lesson=lesson))
        found = rendered[(course.id, lesson.id)] = (lesson, html)
    return found[1]


@bp.route("/lessons/<lesson_id>")
@enrollment_required
def lesson(lesson_id: str):
    """Show a lesson (a read: its first view is recorded by the page's POST to record_lesson_view)."""
    course = current_course()
    lesson = lesson_or_404(lesson_id)
    before, after = course.neighbours(lesson.id)
    return render_template(
        "course/lesson.html",
        course=course,
        lesson=lesson,
        content=lesson_content(course, lesson),
        progress=current_progress().get(lesson.id),
        before=before,
        after=after,
        # Set by the result page's links to a source passage; the result page itself checks ownership.
        from_result=request.args.get("result", type=int),
    )


@bp.route("/lessons/<lesson_id>/view", methods=["POST"])
@enrollment_required
def record_lesson_view(lesson_id: str):
    """Record the learner's first view of a lesson (sent by the lesson page's script; later views write nothing)."""
    lesson = lesson_or_404(lesson_id)
    record_view(current_enrollment(), lesson.id)
    db.session.commit()
    return "", 204


@bp.route("/lessons/<lesson_id>/read", methods=["POST"])
@enrollment_required
def mark_lesson_read(lesson_id: str):
    """Record that the learner has finished reading the lesson."""
    course = current_course()
    lesson = lesson_or_404(lesson_id)
    mark_read(current_enrollment(), lesson.id, course)
    db.session.commit()
    flash(f"“{lesson.title}” is marked as read. Take its quiz when you are ready.", "success")
    return redirect(url_for("quiz.overview", lesson_id=lesson.id))


@bp.route("/dashboard")
@enrollment_required
def dashboard():
    """Show the learner's completion and readiness score with its breakdown."""
    course = current_course()
    enrollment = current_enrollment()
    progress = course_progress_from_rows(course, current_progress(enrollment))
    open_ids: dict[str, int] = {}
    limits = quiz_limits(enrollment, course, open_ids, current_quiz_rules(enrollment))
    return render_template(
        "course/dashboard.html",
        course=course,
        progress=progress,
        step=continue_step(course, progress.lessons, open_ids, limits),
        out_of_attempts=out_of_attempts(course, progress.lessons, limits),
        rules=band_rules(course),
        goal=band_goal_text(course, progress.readiness, band_goal(course.readiness, progress.readiness)),
        readiness=progress.readiness,
        view=progress_view(course, progress),
    )
