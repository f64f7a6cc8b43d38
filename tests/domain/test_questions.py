"""The question-type registry: every built-in type honours the contract the engine relies on."""

import random

import pytest

from lms.domain.grading import credit_for, response_from_json, response_to_json
from lms.domain.loading import load_course_pack
from lms.domain.questions import BUILT_IN, QUESTION_TYPES, REGISTRY, Question, register

from ..conftest import MINI_PACK

QUESTIONS = {question.type: question for lesson in load_course_pack(MINI_PACK).lessons for question in lesson.questions}


def test_the_built_in_types_are_registered_in_the_documented_order():
    assert QUESTION_TYPES == ("single", "multiple", "true_false", "ordering", "matching")
    assert [REGISTRY[name] for name in QUESTION_TYPES] == list(BUILT_IN)
    assert set(QUESTIONS) == set(QUESTION_TYPES)


def test_a_type_name_cannot_be_taken_twice():
    class Impostor(BUILT_IN[0]):
        pass

    with pytest.raises(ValueError, match="already registered"):
        register(Impostor)


@pytest.fixture(params=QUESTION_TYPES)
def question(request) -> Question:
    return QUESTIONS[request.param]


def test_key_earns_full_credit_and_wrong_response_none(question):
    assert credit_for(question, question.key_response()) == 1.0
    assert credit_for(question, question.wrong_response()) == 0.0


def test_responses_survive_json(question):
    for response in (question.key_response(), question.wrong_response()):
        assert response_from_json(question, response_to_json(response)) == response


def test_describe_names_each_part_in_the_learners_terms(question):
    lines = question.describe(question.key_response(), removed="(gone)")
    assert lines and "(gone)" not in " ".join(lines)


def test_tallies_count_right_and_wrong_answers(question):
    rows = question.tallies([(question.key_response(), 3), (question.wrong_response(), 2)])
    assert rows and all(row.count >= 3 for row in rows if row.correct)
    assert sum(row.count for row in rows if not row.correct) <= 2 * len(rows)


def test_simulated_wrong_answers_are_valid_and_never_fully_right(question):
    distractors = question.distractor_ids()

    def pick(rng):
        return rng.choice(distractors) if distractors else None

    rng = random.Random(7)
    for near_miss in (True, False) * 50:
        response = question.simulated_wrong(near_miss, rng, pick)
        assert credit_for(question, response) < 1.0
