"""Grading: every question type, partial credit, invalid answers, drawing and stale attempts."""

import random

import pytest

from lms.domain.grading import (
    InvalidResponse,
    PresentedQuestion,
    StaleAttempt,
    credit_for,
    draw_questions,
    grade_attempt,
    passes,
    resolve_presented,
    response_from_json,
    response_to_json,
)
from lms.domain.questions import Option
from lms.domain.questions.matching import MatchingQuestion
from lms.domain.questions.multiple import MultipleResponseQuestion
from lms.domain.questions.ordering import OrderingQuestion
from lms.domain.questions.single import SingleChoiceQuestion
from lms.domain.questions.true_false import TrueFalseQuestion

COMMON = {"lesson_id": "l", "prompt": "?", "explanation": "e", "source": "s", "source_anchor": "p1"}


def opts(*ids):
    return tuple(Option(i, f"text {i}") for i in ids)


SINGLE = SingleChoiceQuestion(id="single", options=opts("a", "b", "c"), answer_id="b", **COMMON)
MULTIPLE = MultipleResponseQuestion(
    id="multiple", options=opts("a", "b", "c", "d", "e"), answer_ids=frozenset({"a", "b", "c"}), **COMMON
)
TRUE = TrueFalseQuestion(id="tf", answer=True, **COMMON)
ORDER = OrderingQuestion(id="order", sequence=opts("1", "2", "3", "4", "5"), **COMMON)
MATCH = MatchingQuestion(
    id="match", terms=opts("t1", "t2", "t3", "t4"), matches=opts("m1", "m2", "m3", "m4", "mx"),
    key={"t1": "m1", "t2": "m2", "t3": "m3", "t4": "m4"}, **COMMON,
)  # fmt: skip


@pytest.mark.parametrize(
    ("question", "response", "credit"),
    [
        (SINGLE, "b", 1.0),
        (SINGLE, "a", 0.0),
        (SINGLE, None, 0.0),
        (TRUE, True, 1.0),
        (TRUE, False, 0.0),
        # multiple: (right - wrong) / number right, floored at 0
        (MULTIPLE, frozenset({"a", "b", "c"}), 1.0),
        (MULTIPLE, frozenset({"a", "b"}), 2 / 3),
        (MULTIPLE, frozenset({"a", "b", "c", "d"}), 2 / 3),
        (MULTIPLE, frozenset({"a", "d"}), 0.0),
        (MULTIPLE, frozenset({"d", "e"}), 0.0),
        (MULTIPLE, frozenset({"a", "b", "c", "d", "e"}), 1 / 3),
        (MULTIPLE, frozenset(), 0.0),
        # ordering: (longest run in right relative order - 1) / (items - 1)
        (ORDER, ("1", "2", "3", "4", "5"), 1.0),
        (ORDER, ("5", "4", "3", "2", "1"), 0.0),
        (ORDER, ("2", "1", "3", "4", "5"), 3 / 4),
        (ORDER, ("5", "1", "2", "3", "4"), 3 / 4),
        (ORDER, ("1", "3", "2", "5", "4"), 2 / 4),
        # matching: right pairs / terms
        (MATCH, {"t1": "m1", "t2": "m2", "t3": "m3", "t4": "m4"}, 1.0),
        (MATCH, {"t1": "m1", "t2": "m2", "t3": "m4", "t4": "m3"}, 0.5),
        (MATCH, {"t1": "mx", "t2": "mx", "t3": "mx", "t4": "m4"}, 0.25),
        (MATCH, {"t1": "m2", "t2": "m1", "t3": "m4", "t4": "m3"}, 0.0),
    ],
)
def test_credit_by_type(question, response, credit):
    assert credit_for(question, response) == pytest.approx(credit)


@pytest.mark.parametrize(
    ("question", "response"),
    [
        (SINGLE, "z"),
        (SINGLE, ["b"]),
        (MULTIPLE, frozenset({"a", "zz"})),
        (MULTIPLE, "a"),
        (TRUE, "true"),
        (ORDER, ("1", "2", "3", "4")),
        (ORDER, ("1", "1", "2", "3", "4")),
        (ORDER, ("1", "2", "3", "4", "9")),
        (MATCH, {"t1": "m1"}),
        (MATCH, {"t1": "m1", "t2": "m2", "t3": "m3", "t4": "nope"}),
        (MATCH, {"t1": "m1", "t2": "m2", "t3": "m3", "t9": "m4"}),
    ],
)
def test_invalid_responses_are_rejected(question, response):
    with pytest.raises(InvalidResponse):
        credit_for(question, response)


def test_grade_attempt_scores_and_passes():
    questions = [SINGLE, TRUE, MULTIPLE, ORDER]
    responses = {"single": "b", "tf": True, "multiple": frozenset({"a", "b"}), "order": ("5", "4", "3", "2", "1")}
    result = grade_attempt(questions, responses, pass_mark=60)
    assert result.score == pytest.approx(round(100 * (1 + 1 + 2 / 3 + 0) / 4, 2))
    assert result.passed is True
    assert [r.correct for r in result.results] == [True, True, False, False]
    assert grade_attempt(questions, responses, pass_mark=70).passed is False


def test_pass_mark_is_compared_before_rounding():
    # 2 of 3 right is 66.666...%: rounds to 66.67 but must not pass a 66.67 mark by rounding up.
    questions = [SINGLE, TRUE, TrueFalseQuestion(id="tf2", answer=False, **COMMON)]
    result = grade_attempt(questions, {"single": "b", "tf": True, "tf2": True}, pass_mark=66.67)
    assert result.score == 66.67
    assert result.passed is False


def test_grade_attempt_rejects_answers_to_questions_not_asked():
    with pytest.raises(InvalidResponse, match="not in this attempt"):
        grade_attempt([SINGLE], {"single": "b", "other": "a"}, pass_mark=50)


def test_unanswered_questions_score_zero():
    result = grade_attempt([SINGLE, TRUE], {}, pass_mark=50)
    assert result.score == 0 and not result.passed


def test_draw_takes_a_subset_and_shuffles_options_reproducibly():
    bank = [SINGLE, MULTIPLE, TRUE, ORDER, MATCH]
    first = draw_questions(bank, 3, random.Random(7))
    assert first == draw_questions(bank, 3, random.Random(7))
    assert len(first) == 3 and len({p.question_id for p in first}) == 3
    by_id = {q.id: q for q in bank}
    for shown in first:
        question = by_id[shown.question_id]
        assert sorted(shown.option_order) == sorted(o.id for o in question.options_to_shuffle())
    draws = {tuple(p.question_id for p in draw_questions(bank, 3, random.Random(seed))) for seed in range(30)}
    assert len(draws) > 5, "retakes should not repeat the same quiz"


def test_presented_round_trips_through_json():
    shown = draw_questions([MATCH], 1, random.Random(1))[0]
    assert PresentedQuestion.from_json(shown.to_json()) == shown
    assert set(shown.term_order) == {"t1", "t2", "t3", "t4"}


def test_resolve_presented_detects_a_changed_pack():
    shown = draw_questions([SINGLE, MATCH], 2, random.Random(3))
    assert {q.id for q in resolve_presented({"single": SINGLE, "match": MATCH}, shown)} == {"single", "match"}
    with pytest.raises(StaleAttempt):
        resolve_presented({"single": SINGLE}, shown)
    edited = SingleChoiceQuestion(id="single", options=opts("a", "b", "x"), answer_id="b", **COMMON)
    with pytest.raises(StaleAttempt):
        resolve_presented({"single": edited, "match": MATCH}, shown)


@pytest.mark.parametrize(
    ("question", "response"),
    [
        (SINGLE, "b"),
        (MULTIPLE, frozenset({"a", "c"})),
        (TRUE, False),
        (ORDER, ("2", "1", "3", "4", "5")),
        (MATCH, {"t1": "m1", "t2": "mx", "t3": "m3", "t4": "m4"}),
        (SINGLE, None),
    ],
)
def test_responses_round_trip_through_json(question, response):
    assert response_from_json(question, response_to_json(response)) == response


@pytest.mark.parametrize(
    ("score", "mark", "passed"),
    [(70.0, 70.0, True), (70.0 - 1e-12, 70.0, True), (69.996, 70.0, False), (0.0, 0.0, True), (100.0, 100.0, True)],
)
def test_passes_at_the_mark_and_not_just_below(score, mark, passed):
    assert passes(score, mark) is passed


def test_a_score_exactly_at_the_pass_mark_passes():
    result = grade_attempt([SINGLE, TRUE], {"single": "b"}, pass_mark=50)
    assert (result.score, result.passed) == (50.0, True)


def test_an_attempt_without_questions_is_refused():
    with pytest.raises(InvalidResponse, match="at least one question"):
        grade_attempt([], {}, pass_mark=50)
