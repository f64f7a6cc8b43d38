"""Starting an attempt draws by the blueprint: every objective covered, retakes prefer unseen questions."""

import pytest

from ..conftest import MINI_PACK


@pytest.fixture
def app_config():
    return {"COURSE_PACK_PATH": str(MINI_PACK)}


def drawn(attempt) -> set[str]:
    return {item["q"] for item in attempt.layout}


def test_a_retake_brings_in_the_question_not_seen_and_keeps_every_objective(make_user, app, quiz, course):
    alpha = course.lesson("alpha")
    bank = {question.id for question in alpha.questions}
    for _ in range(5):
        client = app.test_client(user=make_user())
        first = quiz.take(client, "alpha", correct=0)
        assert "alpha-days" in drawn(first), "the only item of objective 'days' is in every attempt"
        second = quiz.start(client, "alpha")
        (unseen,) = bank - drawn(first)
        assert unseen in drawn(second) and "alpha-days" in drawn(second)
