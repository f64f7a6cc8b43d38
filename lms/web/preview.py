"""View as learner: staff open any lesson and take any quiz of a course as a learner would, with nothing recorded.

A preview quiz is stateless: the drawn layout (question ids and option orders, never the key)
travels in a signed, expiring token in the form, bound to the user, course and lesson. Grading
reads the token and the posted answers and renders the result; no row is written, so a preview
cannot show up in a roster, an analysis, an export or an attempt count, by construction rather
than by a filter every one of those queries would have to remember.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..domain.drawing import draw_attempt
from ..domain.feedback import objective_feedback
from ..domain.grading import (
    InvalidResponse,
    PresentedQuestion,
    StaleAttempt,
    grade_attempt,
    resolve_presented,
    response_to_json,
)
from .access import course_role_required, current_course, lesson_or_404
from .course_scope import COURSE_PREFIX
from .forms import QuizFormError, build_quiz_form, check_untampered, responses_from_form
from .presenters import marked_review_items

bp = Blueprint("preview", __name__, url_prefix=f"{COURSE_PREFIX}/preview")
_random = random.SystemRandom()
STAFF = ("instructor", "assistant")
TOKEN_FIELD = "preview_token"
TOKEN_MAX_AGE = 4 * 3600  # seconds: long enough to read and answer a quiz, short enough not to linger


@dataclass(frozen=True)
class PreviewAnswer:
    """A graded preview answer, shaped like a stored one for the review presenter, never stored."""

    position: int
    question_id: str
    response: Any
    credit: float
    correct: bool


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="lms.quiz-preview")


def _token(lesson_id: str, layout: tuple[PresentedQuestion, ...]) -> str:
    """Sign a drawn layout for this user, course and lesson."""
    payload = {"u": current_user.id, "c": current_course().id, "l": lesson_id, "q": [p.to_json() for p in layout]}
    return _serializer().dumps(payload)


def _layout_or_400(token: str | None, lesson_id: str) -> tuple[PresentedQuestion, ...]:
    """Return the layout a token signs; abort with 400 if it is missing, forged, expired or for another quiz."""
    try:
        payload = _serializer().loads(token or "", max_age=TOKEN_MAX_AGE)
    except BadSignature:
        abort(400, description="This preview form is not valid or has expired, so it was not graded. Start again.")
    if (payload.get("u"), payload.get("c"), payload.get("l")) != (current_user.id, current_course().id, lesson_id):
        abort(400, description="This preview form belongs to another quiz, so it was not graded.")
    return tuple(PresentedQuestion.from_json(item) for item in payload["q"])


@bp.route("/")
@course_role_required(*STAFF)
def index():
    """List every lesson and quiz of the course with a link to view it as a learner."""
    return render_template("preview/index.html", course=current_course())


@bp.route("/lessons/<lesson_id>")
@course_role_required(*STAFF)
def lesson(lesson_id: str):
    """Show a lesson as a learner sees it; no view or reading is recorded."""
    course = current_course()
    lesson = lesson_or_404(lesson_id)
    before, after = course.neighbours(lesson.id)
    return render_template("preview/lesson.html", course=course, lesson=lesson, before=before, after=after)


@bp.route("/quizzes/<lesson_id>", methods=["GET", "POST"])
@course_role_required(*STAFF)
def quiz(lesson_id: str):
    """Draw a preview quiz (GET), or grade one and show its review (POST); nothing is written either way."""
    course = current_course()
    lesson = lesson_or_404(lesson_id)
    if request.method == "GET":
        layout = draw_attempt(lesson, course.quiz.questions_per_attempt, _random)
        questions = resolve_presented({q.id: q for q in lesson.questions}, layout)
        form, items = build_quiz_form(questions, layout)
        return render_template(
            "preview/take.html", course=course, lesson=lesson, form=form, items=items, token=_token(lesson.id, layout)
        )

    token = request.form.get(TOKEN_FIELD)
    layout = _layout_or_400(token, lesson.id)
    try:
        questions = resolve_presented({q.id: q for q in lesson.questions}, layout)
    except StaleAttempt:
        flash("This quiz was updated since the preview was drawn. Here is a new draw.", "info")
        return redirect(url_for("preview.quiz", lesson_id=lesson.id))
    formdata = request.form.copy()
    formdata.pop(TOKEN_FIELD)
    form, items = build_quiz_form(questions, layout, formdata=formdata)
    try:
        check_untampered(form, items, formdata)
    except QuizFormError:
        abort(400, description="This preview form was changed, so it was not graded.")
    if not form.validate():
        flash("Some questions still need an answer. Nothing is recorded in a preview.", "error")
        page = render_template("preview/take.html", course=course, lesson=lesson, form=form, items=items, token=token)
        return page, 400
    responses = responses_from_form(form, items)
    try:
        result = grade_attempt(questions, responses, course.quiz.pass_mark)
    except InvalidResponse:
        abort(400, description="Some answers do not fit this preview, so it was not graded.")
    answers = [
        PreviewAnswer(
            n, graded.question_id, response_to_json(responses.get(graded.question_id)), graded.credit, graded.correct
        )
        for n, graded in enumerate(result.results)
    ]
    return render_template(
        "preview/result.html",
        course=course,
        lesson=lesson,
        result=result,
        items=marked_review_items(answers, [p.to_json() for p in layout], course.question, True),
        objectives=objective_feedback(lesson, result.results),
    )
