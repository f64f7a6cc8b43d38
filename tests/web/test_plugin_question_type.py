"""A new question type is two modules: a test-only type, registered here, works end to end.

The type's domain half (tests/plugins/whole_number.py) and web half
(tests/plugins/whole_number_field.py, with its partial under tests/plugins/templates) are
registered for the duration of a test; nothing under lms/ or templates/ knows of them.
"""

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jinja2 import ChoiceLoader, FileSystemLoader

from lms.domain.grading import check_response
from lms.domain.loading import CoursePackError, load_course_pack
from lms.domain.questions import REGISTRY
from lms.domain.simulation import simulate_cohort
from lms.extensions import db
from lms.models import AttemptAnswer
from lms.web.question_fields import WEB_REGISTRY

from ..plugins.whole_number import WholeNumberQuestion
from ..plugins.whole_number_field import WholeNumberField

PACK = Path(__file__).resolve().parents[1] / "data" / "whole_number_pack"
TEMPLATES = Path(__file__).resolve().parents[1] / "plugins" / "templates"


@pytest.fixture
def whole_number_type(monkeypatch):
    """Register the test-only type in both registries, for this test only."""
    monkeypatch.setitem(REGISTRY, WholeNumberQuestion.type, WholeNumberQuestion)
    monkeypatch.setitem(WEB_REGISTRY, WholeNumberField.type, WholeNumberField())


@pytest.fixture
def app_config(whole_number_type):
    return {"COURSE_PACK_PATH": str(PACK)}


@pytest.fixture
def plugin_app(app):
    """The app, with the type's template folder beside the project's (as a plug-in would add it)."""
    app.jinja_env.loader = ChoiceLoader([app.jinja_env.loader, FileSystemLoader(TEMPLATES)])
    return app


def test_an_unregistered_type_is_a_pack_problem():
    with pytest.raises(CoursePackError) as raised:
        load_course_pack(PACK)
    assert "questions[0].type: must be one of single, multiple" in str(raised.value)


@pytest.mark.usefixtures("whole_number_type")
def test_the_loader_reads_and_validates_the_new_type(tmp_path):
    course = load_course_pack(PACK)
    legs = course.question("count-legs")
    assert isinstance(legs, WholeNumberQuestion) and (legs.answer, legs.tolerance) == (8, 1)
    bad = (PACK / "quizzes" / "count.yaml").read_text().replace("answer: 7", "answer: seven")
    (tmp_path / "content").mkdir()
    for name in ("course.yaml", "count.md"):
        (tmp_path / "content" / name).write_text((PACK / "content" / name).read_text())
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "quizzes" / "count.yaml").write_text(bad)
    with pytest.raises(CoursePackError) as raised:
        load_course_pack(tmp_path)
    assert "questions[0].answer: must be a whole number, got 'seven'" in str(raised.value)


def test_a_quiz_with_the_new_type_end_to_end(
    plugin_app, learner, learner_client, instructor_client, quiz, enrollment_of
):
    attempt = quiz.start(learner_client, "count")
    page = learner_client.get(f"/courses/counting/attempts/{attempt.id}").get_data(as_text=True)
    number = 1 + [shown["q"] for shown in attempt.layout].index("count-week")
    assert f'name="q{number}"' in page and 'inputmode="numeric"' in page and "Type a whole number." in page

    # Not a number: the form comes back with the field's own message, and nothing is saved.
    data = quiz.answers(attempt).form()
    data[f"q{number}"] = "seven"
    refused = learner_client.post(f"/courses/counting/attempts/{attempt.id}", data=data)
    assert refused.status_code == 400 and "Type a whole number." in refused.get_data(as_text=True)

    # Right on every question except the week (8 days: outside a tolerance of 0).
    data[f"q{number}"] = "8"
    response = learner_client.post(f"/courses/counting/attempts/{attempt.id}", data=data)
    assert response.status_code == 303
    db.session.expire_all()
    answers = {a.question_id: a for a in db.session.scalars(db.select(AttemptAnswer))}
    assert (answers["count-week"].response, answers["count-week"].credit) == (8, 0.0)
    assert (answers["count-legs"].response, answers["count-legs"].credit) == (8, 1.0)

    result = learner_client.get(f"/courses/counting/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "67%" in result and "How many days does a week have?" in result

    review = instructor_client.get(f"/courses/counting/instructor/learners/{enrollment_of(learner).id}").get_data(
        as_text=True
    )
    assert "How many days does a week have?" in review and "<li>7</li>" in review and "<li>8</li>" in review

    analysis = instructor_client.get("/courses/counting/instructor/quizzes/count").get_data(as_text=True)
    assert "whole number" in analysis and "How often the number was within the tolerance." in analysis
    assert "7 ± 0" in analysis and "another number" in analysis


@pytest.mark.usefixtures("whole_number_type")
def test_the_simulator_answers_the_new_type():
    course = load_course_pack(PACK)
    learners = list(simulate_cohort(course, 60, random.Random(3), datetime.now(UTC)))
    responses = [
        (course.question(question_id), response)
        for learner in learners
        for lesson in learner.lessons
        for attempt in lesson.attempts
        for question_id, response in attempt.responses.items()
    ]
    numbers = [response for question, response in responses if isinstance(question, WholeNumberQuestion)]
    assert numbers and any(n in (7, 8) for n in numbers) and any(n not in (7, 8, 9) for n in numbers if n)
    for question, response in responses:
        check_response(question, response)
