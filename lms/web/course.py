"""The learner's course: outline, enrollment, lessons and the readiness dashboard."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..services.progress import (
    EnrollmentRefused,
    course_progress,
    enroll,
    is_lesson_complete,
    lesson_progress,
    mark_read,
    record_view,
)
from .access import current_course, current_enrollment, enrollment_required, lesson_or_404
from .course_scope import COURSE_PREFIX
from .forms import ActionForm, EnrollForm

bp = Blueprint("course", __name__, url_prefix=COURSE_PREFIX)


@bp.route("/")
def outline():
    """Show the course outline; with the learner's status per lesson when enrolled."""
    course = current_course()
    enrollment = current_enrollment()
    progress = course_progress(enrollment, course) if enrollment else None
    page = render_template(
        "course/outline.html",
        course=course,
        progress=progress,
        enroll_form=EnrollForm(),
        needs_code=bool(current_app.config["ENROLLMENT_CODE"]),
        is_complete=is_lesson_complete,
    )
    # Keep progress rows created for lessons added since enrollment. Render first: a commit
    # expires the loaded rows, and the template would reload them one by one.
    db.session.commit()
    return page


@bp.route("/enroll", methods=["POST"])
@login_required
def enroll_in_course():
    """Enroll the signed-in user (with the code when one is configured)."""
    form = EnrollForm()
    if not form.validate_on_submit():
        abort(400, description="The enrollment form was not complete.")
    course = current_course()
    try:
        enroll(current_user.id, course, form.code.data, current_app.config["ENROLLMENT_CODE"])
    except EnrollmentRefused:
        flash("That enrollment code is not right. Ask your instructor for the course's code.", "error")
        return redirect(url_for("course.outline"))
    db.session.commit()
    flash(f"You are enrolled in {course.title}. Start with the first lesson.", "success")
    return redirect(url_for("course.lesson", lesson_id=course.lessons[0].id))


@bp.route("/lessons/<lesson_id>")
@enrollment_required
def lesson(lesson_id: str):
    """Show a lesson and record the learner's first view of it."""
    course = current_course()
    lesson = lesson_or_404(lesson_id)
    enrollment = current_enrollment()
    progress = lesson_progress(enrollment, lesson.id)
    if progress.first_viewed_at is None:
        record_view(enrollment, progress)
        db.session.commit()
    before, after = course.neighbours(lesson.id)
    return render_template(
        "course/lesson.html",
        course=course,
        lesson=lesson,
        progress=progress,
        before=before,
        after=after,
        form=ActionForm(),
    )


@bp.route("/lessons/<lesson_id>/read", methods=["POST"])
@enrollment_required
def mark_lesson_read(lesson_id: str):
    """Record that the learner has finished reading the lesson."""
    course = current_course()
    lesson = lesson_or_404(lesson_id)
    enrollment = current_enrollment()
    mark_read(enrollment, lesson_progress(enrollment, lesson.id), course)
    db.session.commit()
    flash(f"“{lesson.title}” is marked as read. Take its quiz when you are ready.", "success")
    return redirect(url_for("quiz.overview", lesson_id=lesson.id))


@bp.route("/dashboard")
@enrollment_required
def dashboard():
    """Show the learner's completion and readiness score with its breakdown."""
    course = current_course()
    progress = course_progress(current_enrollment(), course)
    page = render_template(
        "course/dashboard.html",
        course=course,
        progress=progress,
        readiness=progress.readiness,
        is_complete=is_lesson_complete,
    )
    db.session.commit()  # after rendering, as in outline()
    return page
