"""Help for stuck learners: extra attempts and resets per learner and quiz, attempt limits per cohort or course."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from ...extensions import db
from ...models import STAFF_ROLES, Enrollment
from ...services.overrides import (
    Actor,
    OverrideProblem,
    attempt_limits,
    course_limit_events,
    grant_attempts,
    reset_quiz,
    set_attempt_limit,
)
from ..access import can_change, cohort_or_404, course_role_required, current_course, lesson_or_404, staff_cohorts
from .blueprint import bp
from .forms import AttemptLimitForm, GrantAttemptsForm, ResetQuizForm
from .views import learner_page, roster_back_args, visible_cohort_list


def _learner_or_404(enrollment_id: int) -> Enrollment:
    """Return a learner of this course in the staff member's cohorts; 404 otherwise (another cohort's learner too)."""
    allowed = staff_cohorts()
    query = select(Enrollment).where(
        Enrollment.id == enrollment_id, Enrollment.course_id == current_course().id, Enrollment.role == "learner"
    )
    enrollment = db.session.execute(query).scalar_one_or_none()
    if enrollment is None or (allowed is not None and enrollment.cohort_id not in allowed):
        abort(404, description="There is no such learner in this course.")
    return enrollment


def _done(enrollment: Enrollment, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("instructor.learner", enrollment_id=enrollment.id, **roster_back_args()), code=303)


@bp.route("/learners/<int:enrollment_id>/quizzes/<lesson_id>/grant", methods=["POST"])
@course_role_required("instructor")
def grant(enrollment_id: int, lesson_id: str):
    """Give the learner extra attempts at a quiz; bad input gets the page back (400) and writes nothing."""
    enrollment = _learner_or_404(enrollment_id)
    lesson = lesson_or_404(lesson_id)
    form = GrantAttemptsForm(prefix=f"grant-{lesson.id}")
    if form.validate_on_submit():
        try:
            event = grant_attempts(
                enrollment, current_course(), lesson.id, form.attempts.data, form.reason.data, Actor.of(current_user)
            )
        except OverrideProblem as problem:
            db.session.rollback()
            form.attempts.errors.append(str(problem))
        else:
            plural = "" if event.amount == 1 else "s"
            return _done(enrollment, f"{event.amount} extra attempt{plural} at the {lesson.title} quiz granted.")
    return learner_page(enrollment_id, {("grant", lesson.id): form}, 400)


@bp.route("/learners/<int:enrollment_id>/quizzes/<lesson_id>/reset", methods=["POST"])
@course_role_required("instructor")
def reset(enrollment_id: int, lesson_id: str):
    """Set the learner's attempts at a quiz aside (kept in the history); bad input gets a 400 and writes nothing."""
    enrollment = _learner_or_404(enrollment_id)
    lesson = lesson_or_404(lesson_id)
    form = ResetQuizForm(prefix=f"reset-{lesson.id}")
    if form.validate_on_submit():
        try:
            reset_quiz(enrollment, current_course(), lesson.id, form.reason.data, Actor.of(current_user))
        except OverrideProblem as problem:
            db.session.rollback()
            form.reason.errors.append(str(problem))
        else:
            return _done(enrollment, f"The {lesson.title} quiz is reset: the earlier attempts no longer count.")
    return learner_page(enrollment_id, {("reset", lesson.id): form}, 400)


def _limits_page(forms: dict | None = None, status: int = 200):
    course = current_course()
    cohorts = visible_cohort_list(course.id)
    forms = forms or {}
    limit_forms = {}
    for lesson in course.lessons:
        form = forms.get(lesson.id) or AttemptLimitForm(formdata=None, prefix=f"limit-{lesson.id}")
        form.cohort.choices = _cohort_choices(cohorts)
        limit_forms[lesson.id] = form
    by_cohort = {cohort.id: cohort for cohort in cohorts}
    page = render_template(
        "instructor/limits.html",
        course=course,
        limits=[row for row in attempt_limits(course) if row.cohort_id is None or row.cohort_id in by_cohort]
        if staff_cohorts() is not None
        else attempt_limits(course),
        cohorts_by_id=by_cohort,
        events=course_limit_events(course),
        forms=limit_forms,
        can_change=can_change(),
    )
    return page, status


def _cohort_choices(cohorts) -> list[tuple[str, str]]:
    # A staff member limited to some cohorts cannot change the whole course's limit.
    whole = [("", "The whole course")] if staff_cohorts() is None else []
    return whole + [(str(cohort.id), cohort.name) for cohort in cohorts]


@bp.route("/limits")
@course_role_required(*STAFF_ROLES)
def limits():
    """Show each quiz's attempt limit, the cohort and course overrides and their history; instructors change them."""
    return _limits_page()


@bp.route("/limits/<lesson_id>", methods=["POST"])
@course_role_required("instructor")
def set_limit(lesson_id: str):
    """Set or remove a quiz's attempt limit for a cohort or the course; bad input gets a 400 and writes nothing."""
    course = current_course()
    lesson = lesson_or_404(lesson_id)
    form = AttemptLimitForm(prefix=f"limit-{lesson.id}")
    form.cohort.choices = _cohort_choices(visible_cohort_list(course.id))
    if form.validate_on_submit():
        cohort = cohort_or_404(int(form.cohort.data)) if form.cohort.data else None
        try:
            set_attempt_limit(
                course, lesson.id, cohort, form.max_attempts.data, form.reason.data, Actor.of(current_user)
            )
        except OverrideProblem as problem:
            db.session.rollback()
            form.max_attempts.errors.append(str(problem))
        else:
            db.session.commit()
            where = cohort.name if cohort else "the whole course"
            flash(f"The attempt limit of the {lesson.title} quiz for {where} is saved.", "success")
            return redirect(url_for("instructor.limits"), code=303)
    return _limits_page({lesson.id: form}, 400)
