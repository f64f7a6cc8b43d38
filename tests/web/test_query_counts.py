"""Every learner page costs a fixed number of SQL statements, however much history a learner has."""

import pytest

from lms.extensions import db

from ..conftest import MINI_PACK
from ..helpers import counting


@pytest.fixture
def app_config():
    return {"COURSE_PACK_PATH": str(MINI_PACK)}


def statements_for(client, path) -> int:
    with counting(db.engine) as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


PAGES = [
    "/courses/mini-course/",
    "/courses/mini-course/dashboard",
    "/courses/mini-course/lessons/alpha",
    "/courses/mini-course/quizzes/alpha",
    "/courses/mini-course/quizzes/beta",
]


def test_learner_pages_do_not_grow_with_history(learner_client, quiz):
    quiz.take(learner_client, "alpha", correct=1)
    for path in PAGES:
        statements_for(learner_client, path)  # first views write; measure steady state after
    small = {path: statements_for(learner_client, path) for path in PAGES}
    quiz.take(learner_client, "alpha")
    quiz.take(learner_client, "beta", correct=2)
    quiz.take(learner_client, "beta")
    large = {path: statements_for(learner_client, path) for path in PAGES}
    assert small == large
    assert max(large.values()) <= 8, large


def test_result_and_attempt_pages_do_not_grow_with_questions(learner_client, quiz):
    first = quiz.take(learner_client, "alpha", correct=1)
    second = quiz.take(learner_client, "alpha")
    counts = {statements_for(learner_client, f"/courses/mini-course/attempts/{a.id}/result") for a in (first, second)}
    assert len(counts) == 1 and counts.pop() <= 8


@pytest.mark.parametrize("pack", ["mini", "real"])
def test_learner_pages_do_not_grow_with_lessons(app_config, pack, request):
    """The real pack has five lessons and the mini pack two: the same statements for both."""
    if pack == "real":
        app_config.pop("COURSE_PACK_PATH")
    app = request.getfixturevalue("app")
    learner = request.getfixturevalue("learner")
    client = app.test_client(user=learner)
    lesson_id = app.extensions["lms.catalog"].default.lessons[0].id
    prefix = f"/courses/{app.extensions['lms.catalog'].default.id}"
    paths = [f"{prefix}/", f"{prefix}/dashboard", f"{prefix}/lessons/{lesson_id}", f"{prefix}/quizzes/{lesson_id}"]
    for path in paths:
        statements_for(client, path)
    assert {path.split("/")[3] or "/": statements_for(client, path) for path in paths} == EXPECTED_LEARNER_STATEMENTS


# Per page: the server-side session with its account, the account's enrollment in the URL's course,
# that enrollment's progress rows and its quiz rules (the instructor's overrides, the cohort's or
# course's attempt limits and the attempts in progress, which the outline and dashboard show): one
# query (lms/web/session_records.py). The quiz page adds its attempts, the attempts a deleted account
# of the same email used, and its own read of the limits.
EXPECTED_LEARNER_STATEMENTS = {"/": 1, "dashboard": 1, "lessons": 1, "quizzes": 4}
