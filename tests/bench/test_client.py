"""bench/client.py against pages the app renders: the form filling must keep up with the templates."""

import pytest
from werkzeug.datastructures import MultiDict

from bench import urls
from bench.client import FormFields, quiz_answers
from bench.common import BenchError
from lms.extensions import db
from lms.models import Attempt, AttemptAnswer


def attempt_page(client, quiz, lesson_id: str) -> tuple[Attempt, bytes]:
    attempt = quiz.start(client, lesson_id)
    response = client.get(urls.attempt(attempt.id))
    assert response.status_code == 200
    return attempt, response.data


def submitted(client, attempt: Attempt, answers) -> tuple[int, int]:
    """Post answers; return the status and how many answers the database then holds for the attempt."""
    response = client.post(urls.attempt(attempt.id), data=MultiDict(answers))
    assert response.status_code != 303 or response.location.endswith(urls.result(attempt.id))
    db.session.expire_all()
    stored = db.session.execute(db.select(db.func.count()).where(AttemptAnswer.attempt_id == attempt.id)).scalar_one()
    return response.status_code, stored


def test_quiz_answers_fill_every_question_type_of_the_real_pack(learner_client, quiz, course):
    # Every lesson, so that every question type in the pack is filled at least once.
    types = set()
    for lesson in course.lessons:
        types |= {question.type for question in lesson.questions}
        attempt, page = attempt_page(learner_client, quiz, lesson.id)
        status, stored = submitted(learner_client, attempt, quiz_answers(page))
        assert (status, stored) == (303, attempt.question_count), lesson.id
    assert types >= {"single", "multiple", "true_false", "ordering", "matching"}


def test_quiz_answers_carry_the_csrf_token(app, learner, quiz, course):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client(user=learner)
    outline = client.get(urls.quiz(course.lessons[0].id))
    token = FormFields(outline.data).csrf_token()
    attempt_id = urls.attempt_id(
        client.post(urls.start_attempt(course.lessons[0].id), data={"csrf_token": token}).location
    )
    page = client.get(urls.attempt(attempt_id)).data
    answers = quiz_answers(page)
    assert answers[0][0] == "csrf_token" and answers[0][1]  # a fresh token of the same session
    attempt = db.session.get(Attempt, attempt_id)
    assert submitted(client, attempt, answers) == (303, attempt.question_count)


def test_a_skipped_question_leaves_the_form_incomplete(learner_client, quiz, course):
    attempt, page = attempt_page(learner_client, quiz, course.lessons[0].id)
    questions = FormFields(page).questions
    assert sorted(questions) == list(range(1, attempt.question_count + 1))
    skip = max(questions)
    answers = quiz_answers(page, skip=skip)
    assert not any(name in questions[skip] for name, _ in answers)
    assert submitted(learner_client, attempt, answers) == (400, 0)


def test_a_page_without_questions_is_an_error(client):
    with pytest.raises(BenchError, match="no questions"):
        quiz_answers(client.get("/").data)


def test_attempt_paths_round_trip():
    assert urls.attempt_id(urls.attempt(42)) == 42
    assert urls.attempt_id(urls.result(42)) is None
    assert urls.attempt_id("/account/login") is None
