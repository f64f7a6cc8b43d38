"""The web half of every built-in question type: a field, a partial, and a lossless round trip."""

import random
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from lms.domain.grading import draw_questions
from lms.domain.questions import QUESTION_TYPES
from lms.web.forms import build_quiz_form, check_untampered, responses_from_form
from lms.web.question_fields import WEB_REGISTRY, QuestionField, field_for, register_field

from ..conftest import MINI_PACK

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.fixture
def app_config():
    return {"COURSE_PACK_PATH": str(MINI_PACK)}


@pytest.mark.parametrize("question_type", QUESTION_TYPES)
def test_every_built_in_type_has_a_field_and_a_partial(question_type):
    kind = field_for(question_type)
    assert kind.type == question_type and kind.label and kind.analysis_note
    assert (TEMPLATES / kind.template).is_file()


def test_a_type_without_a_web_half_is_a_lookup_error():
    with pytest.raises(LookupError, match="no form field for question type 'essay'"):
        field_for("essay")


def test_a_web_half_must_implement_the_whole_contract():
    class Incomplete(QuestionField):
        type = "incomplete"
        label = "incomplete"

    with pytest.raises(TypeError):
        register_field(Incomplete)
    assert "incomplete" not in WEB_REGISTRY


def test_posted_key_and_wrong_answers_parse_back_to_the_same_responses(app, course):
    questions = [question for lesson in course.lessons for question in lesson.questions]
    presented = draw_questions(questions, len(questions), random.Random(2))
    by_id = {question.id: question for question in questions}
    ordered = [by_id[shown.question_id] for shown in presented]
    for pick in ("key_response", "wrong_response"):
        expected = {question.id: getattr(question, pick)() for question in ordered}
        data = MultiDict()
        for number, question in enumerate(ordered, start=1):
            for name, value in field_for(question.type).form_data(f"q{number}", expected[question.id]).items():
                for item in value if isinstance(value, list) else [value]:
                    data.add(name, item)
        with app.test_request_context(method="POST", data=data):
            form, items = build_quiz_form(ordered, presented, formdata=data)
            check_untampered(form, items, data)
            assert form.validate(), form.errors
            assert responses_from_form(form, items) == expected
