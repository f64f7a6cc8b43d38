"""Section quizzes: overview and history, start, take, submit and review an attempt."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from wtforms import FormField

from ..domain.course import Lesson, Question
from ..domain.feedback import may_show_key, objective_feedback
from ..domain.grading import InvalidResponse, StaleAttempt
from ..extensions import db
from ..models import Attempt
from ..services.attempts import (
    AttemptLimitReached,
    attempt_questions,
    attempts_for,
    discard_attempt,
    presented_questions,
    quiz_allowance,
    start_attempt,
    submit_attempt,
)
from ..services.drafts import AttemptClosed, drafts_for, save_drafts
from ..services.retained import email_key, retained_attempts
from ..services.tokens import needs_verification
from .access import (
    current_course,
    current_enrollment,
    current_progress,
    enrollment_required,
    lesson_or_404,
    own_attempt_or_abort,
)
from .course_scope import COURSE_PREFIX
from .forms import QuizFormError, QuizItem, build_quiz_form, check_untampered, responses_from_form
from .presenters import graded_results, marked_review_items

bp = Blueprint("quiz", __name__, url_prefix=COURSE_PREFIX)
_random = random.SystemRandom()


@bp.route("/quizzes/<lesson_id>")
@enrollment_required
def overview(lesson_id: str):
    """Show a section quiz: its rules, the learner's attempts and a button to start or resume."""
    course = current_course()
    lesson = lesson_or_404(lesson_id)
    enrollment = current_enrollment()
    attempts = attempts_for(enrollment.id, lesson.id)
    submitted = [attempt for attempt in attempts if attempt.is_submitted]
    in_progress = next((attempt for attempt in attempts if not attempt.is_submitted), None)
    return render_template(
        "quiz/overview.html",
        course=course,
        lesson=lesson,
        progress=current_progress().get(lesson.id),
        submitted=submitted,
        in_progress=in_progress,
        allowance=quiz_allowance(enrollment, course, lesson.id, attempts, carried=_carried(course, lesson)),
    )


def _carried(course, lesson: Lesson) -> int:
    """Attempts at this quiz used by deleted accounts with the signed-in person's email."""
    if not current_user.email:
        return 0
    key = email_key(current_app.config["SECRET_KEY"], current_user.email)
    return retained_attempts(key, course.id, lesson.id)


@bp.route("/quizzes/<lesson_id>/attempts", methods=["POST"])
@enrollment_required
def start(lesson_id: str):
    """Start a new attempt (or resume the one in progress) and go to it."""
    course = current_course()
    lesson = lesson_or_404(lesson_id)
    if needs_verification(current_user):
        back = url_for("quiz.overview", lesson_id=lesson.id)
        return render_template("auth/verify_needed.html", next=back), 403
    try:
        attempt = start_attempt(current_enrollment(), course, lesson, _random, carried=_carried(course, lesson))
    except AttemptLimitReached as reached:
        abort(403, description=f"You have used {reached}. Ask your instructor for another attempt.")
    db.session.commit()
    return redirect(url_for("quiz.take", attempt_id=attempt.id), code=303)


def _questions_or_restart(attempt: Attempt, lesson: Lesson) -> tuple[Question, ...] | None:
    """Return the attempt's questions; if the pack changed under it, discard it and return None."""
    try:
        return attempt_questions(attempt, lesson)
    except StaleAttempt:
        discard_attempt(attempt)
        db.session.commit()
        flash("This quiz was updated since you started it. Please start again; it does not count as a try.", "info")
        return None


def _numbers(numbers: list[int]) -> str:
    """Say question numbers in words: 'Question 2', 'Questions 1, 3 and 4'."""
    if len(numbers) == 1:
        return f"Question {numbers[0]}"
    return f"Questions {', '.join(map(str, numbers[:-1]))} and {numbers[-1]}"


def _form_problems(form, items) -> str:
    """Say what stops a quiz form: questions unanswered, and parts that conflict (two items in one place)."""
    unanswered, conflicts = [], []
    for item in items:
        field = form[item.field_name]
        own_errors = getattr(getattr(field, "form", None), "form_errors", [])
        if own_errors:
            conflicts.append(f"Question {item.number}: {' '.join(own_errors)}")
        elif field.errors:
            unanswered.append(item.number)
    parts = list(conflicts)
    if unanswered:
        parts.append(f"Some questions still need an answer ({_numbers(unanswered).lower()}).")
    return " ".join([*parts, "Nothing was saved yet."])


def _field_names(form, item: QuizItem) -> list[str]:
    """The posted names of a question's field: its own, or one per part."""
    field = form[item.field_name]
    return [sub.name for sub in field] if isinstance(field, FormField) else [field.name]


def _draft_values(form, item: QuizItem, formdata) -> dict[str, list[str]]:
    """A question's answer so far as posted: {field suffix: [values]}."""
    return {name[len(item.field_name) :]: formdata.getlist(name) for name in _field_names(form, item)}


def _draft_formdata(items: Sequence[QuizItem], drafts: Mapping[str, Mapping[str, list[str]]]) -> MultiDict:
    """The form data that refills a quiz form from its drafts (empty if none)."""
    data = MultiDict()
    for item in items:
        for suffix, values in drafts.get(item.question.id, {}).items():
            for value in values:
                data.add(f"{item.field_name}{suffix}", value)
    return data


def answered_items(form, items: Sequence[QuizItem], formdata) -> set[str]:
    """The field names of the questions whose every part has a value in the form data."""
    return {item.field_name for item in items if all(any(formdata.getlist(name)) for name in _field_names(form, item))}


def _take_page(course, lesson, attempt, form, items, formdata) -> str:
    """Render an attempt's questions with the counter and navigator of what is answered."""
    answered = answered_items(form, items, formdata)
    return render_template(
        "quiz/take.html", course=course, lesson=lesson, attempt=attempt, form=form, items=items, answered=answered
    )


@bp.route("/attempts/<int:attempt_id>", methods=["GET", "POST"])
@enrollment_required
def take(attempt_id: int):
    """Show an attempt's questions (GET) or grade and record the answers (POST, once)."""
    attempt = own_attempt_or_abort(attempt_id)
    if attempt.is_submitted:
        if request.method == "POST":
            flash("This attempt was already submitted; nothing was changed. Here is its result.", "info")
        return redirect(url_for("quiz.result", attempt_id=attempt.id), code=303)
    course = current_course()
    lesson = lesson_or_404(attempt.lesson_id)
    questions = _questions_or_restart(attempt, lesson)
    if questions is None:
        return redirect(url_for("quiz.overview", lesson_id=lesson.id))
    presented = presented_questions(attempt)
    if request.method == "GET":
        form, items = build_quiz_form(questions, presented)
        saved = _draft_formdata(items, drafts_for(attempt.id))
        if saved:
            form, items = build_quiz_form(questions, presented, formdata=saved)
        return _take_page(course, lesson, attempt, form, items, saved)

    form, items = build_quiz_form(questions, presented, formdata=request.form)
    try:
        check_untampered(form, items, request.form)
    except QuizFormError:
        abort(400, description="This quiz form was changed or does not belong to this attempt, so nothing was saved.")
    if not form.validate():
        flash(_form_problems(form, items), "error")
        return _take_page(course, lesson, attempt, form, items, request.form), 400
    try:
        result = submit_attempt(attempt, current_enrollment(), course, lesson, responses_from_form(form, items))
    except InvalidResponse:
        abort(400, description="Some answers do not fit this attempt, so nothing was saved.")
    db.session.commit()
    if result is None:
        flash("This attempt was already submitted; nothing was changed. Here is its result.", "info")
    return redirect(url_for("quiz.result", attempt_id=attempt.id), code=303)


@bp.route("/attempts/<int:attempt_id>/draft", methods=["POST"])
@enrollment_required
def save_draft(attempt_id: int):
    """Save answers of an open attempt, never graded: one question (the script) or all of them (Save and leave)."""
    attempt = own_attempt_or_abort(attempt_id)
    if attempt.is_submitted:
        abort(409, description="This attempt was already submitted, so its answers can no longer change.")
    lesson = lesson_or_404(attempt.lesson_id)
    questions = _questions_or_restart(attempt, lesson)
    if questions is None:
        return redirect(url_for("quiz.overview", lesson_id=lesson.id))
    formdata = request.form.copy()
    named = formdata.pop("question", None)
    form, items = build_quiz_form(questions, presented_questions(attempt), formdata=formdata)
    chosen = items if named is None else [item for item in items if item.field_name == named]
    if not chosen:
        abort(400, description="That question is not in this attempt, so nothing was saved.")
    try:
        check_untampered(form, chosen, formdata)
        save_drafts(attempt, {item.question.id: _draft_values(form, item, formdata) for item in chosen})
    except QuizFormError:
        abort(400, description="These answers do not fit this attempt, so nothing was saved.")
    except AttemptClosed:
        abort(409, description="This attempt was already submitted, so its answers can no longer change.")
    db.session.commit()
    if named is not None:
        return "", 204
    flash("Your answers are saved. Come back to this attempt whenever you like and submit it then.", "success")
    return redirect(url_for("quiz.overview", lesson_id=lesson.id), code=303)


@bp.route("/attempts/<int:attempt_id>/result")
@enrollment_required
def result(attempt_id: int):
    """Show a graded attempt: score, objectives missed, each answer marked, and what to do next."""
    attempt = own_attempt_or_abort(attempt_id)
    if not attempt.is_submitted:
        return redirect(url_for("quiz.take", attempt_id=attempt.id))
    course = current_course()
    lesson = lesson_or_404(attempt.lesson_id)
    attempts = attempts_for(attempt.enrollment_id, lesson.id)
    left = quiz_allowance(current_enrollment(), course, lesson.id, attempts, carried=_carried(course, lesson)).left
    show_key = may_show_key(course.review.show_key, any(other.passed for other in attempts), left)
    return render_template(
        "quiz/result.html",
        course=course,
        lesson=lesson,
        attempt=attempt,
        items=marked_review_items(attempt.answers, attempt.layout, course.question, show_key),
        objectives=objective_feedback(lesson, graded_results(attempt.answers)),
        show_key=show_key,
        next_lesson=course.neighbours(lesson.id)[1],
        left=left,
    )
