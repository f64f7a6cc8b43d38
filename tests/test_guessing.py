"""The guessing check: no test-wise strategy that never reads the lessons comes near the pass mark."""

import random
from dataclasses import replace

import pytest

from lms.domain.grading import check_response
from lms.domain.loading import load_course_pack

from . import guessing
from .conftest import MINI_PACK, PROJECT_ROOT
from .items import matching, multiple, single, true_false


def test_no_guessing_strategy_reaches_the_pass_mark_minus_20_points():
    course = load_course_pack(PROJECT_ROOT)
    results = guessing.expected_scores(course)
    over = guessing.too_guessable(course, results)
    limit = course.quiz.pass_mark - guessing.MARGIN
    assert not over, (
        f"a learner who never reads the lessons scores {limit:g}% or more (pass mark - {guessing.MARGIN}):\n"
        + "\n".join(
            f"  quizzes/{result.lesson_id}.yaml with strategy {result.strategy!r}: {result.expected:.1f}%"
            for result in over
        )
        + "\nrun `python -m tests.guessing --items` to see which items give themselves away"
    )


def test_the_check_fails_every_bank_of_the_2026_12_01_pack():
    # The content review found that a non-reader could pass these banks; the check must say so.
    seed = load_course_pack(PROJECT_ROOT / "tests" / "data" / "seed_pack")
    over = guessing.too_guessable(seed, guessing.expected_scores(seed))
    assert {result.lesson_id for result in over} == set(seed.lesson_ids)
    assert {result.lesson_id for result in over if result.strategy == "test-wise"} == set(seed.lesson_ids)


def rng() -> random.Random:
    return random.Random(1)


def test_longest_picks_the_longest_option():
    question = single("q1", "A long and detailed key", ["Short", "Brief"])
    assert guessing.longest(question, rng()) == question.answer_id


def test_absolutes_mark_sweeping_statements_false_and_others_true():
    assert guessing.absolutes(true_false("q1", "You must always do it.", False), rng()) is False
    assert guessing.absolutes(true_false("q2", "It usually helps.", True), rng()) is True


def test_absolutes_reject_sweeping_options():
    question = multiple("q1", ["Budgets", "Payroll"], ["Only rosters", "Every chart"])
    assert guessing.absolutes(question, rng()) == question.answer_ids


def test_off_domain_rejects_clinical_options():
    question = single("q1", "Budgets", ["Diagnosing patients", "Prescribing drugs"])
    assert guessing.off_domain(question, rng()) == question.answer_id


def test_prompt_words_follow_the_prompt():
    question = single("q1", "Vendor contracts", ["Budgets", "Rosters"], prompt="What do vendor talks end in?")
    assert guessing.prompt_words(question, rng()) == question.answer_id


def test_word_matching_uses_initials_and_shared_words():
    question = matching(
        "m1",
        [("CMM", "Certified Medical Manager"), ("AACC", "American Association of Community Colleges"),
         ("Vendor contracts", "Agreements with vendors")],
    )  # fmt: skip
    answer = guessing.test_wise(question, rng())
    assert answer == question.key


def test_random_guessing_scores_chance_on_a_single_choice_item():
    question = single("q1", "A", ["B", "C", "D"])
    credit = guessing.item_credit(question, guessing.random_answer, rng(), samples=4000)
    assert credit == pytest.approx(0.25, abs=0.03)


@pytest.mark.parametrize("name", sorted(guessing.STRATEGIES))
def test_every_strategy_gives_valid_answers_to_every_question_type(name):
    course = load_course_pack(MINI_PACK)
    for lesson in course.lessons:
        for question in lesson.questions:
            response = guessing.STRATEGIES[name](question, rng())
            check_response(question, response)
            assert response is not None


def cued_course(cued: bool):
    """The mini pack with its bank replaced by 8 single-choice items, keys longest when cued."""
    course = load_course_pack(MINI_PACK)
    items = [
        single(
            f"q{n}", "A long and detailed key" if cued else "Short", ["Brief", "Terse", "Short" if cued else "Other"]
        )
        for n in range(8)
    ]
    lessons = tuple(replace(lesson, questions=tuple(items)) for lesson in course.lessons)
    return replace(course, lessons=lessons, quiz=replace(course.quiz, questions_per_attempt=4))


def test_a_cued_bank_is_too_guessable_and_a_fair_one_is_not():
    cued = cued_course(True)
    over = guessing.too_guessable(cued, guessing.expected_scores(cued, samples=20, draws=50))
    assert {result.strategy for result in over} >= {"longest", "test-wise"}
    fair = cued_course(False)
    assert guessing.too_guessable(fair, guessing.expected_scores(fair, samples=200, draws=50)) == []


def test_the_report_names_bank_strategy_and_margin():
    course = cued_course(True)
    text = guessing.report(course, guessing.expected_scores(course, samples=10, draws=20), show_items=True)
    limit = course.quiz.pass_mark - guessing.MARGIN
    assert f"TOO GUESSABLE: alpha with longest: 100.0 >= {limit:g}" in text
    assert "q0 (single): longest 1.00" in text


def test_the_module_runs_against_a_pack_path(capsys):
    assert guessing.main([str(MINI_PACK), "--learners", "5"]) in (0, 1)
    out = capsys.readouterr().out
    assert "Expected attempt score" in out and "Simulated test-wise non-readers (5" in out


def test_expected_score_weights_items_by_how_often_they_are_drawn():
    course = cued_course(True)
    lesson = course.lessons[0]
    weights = guessing.inclusion(lesson, 4, guessing.uniform_draw, rng(), draws=200)
    assert sum(weights.values()) == pytest.approx(1.0)
    assert all(weight > 0 for weight in weights.values())


def test_strategies_never_see_the_key_through_option_order():
    # The pack lists the key first; a strategy must not profit from that order.
    question = single("q1", "Same", ["Sane", "Lame", "Tame"])
    credit = guessing.item_credit(question, guessing.longest, rng(), samples=4000)
    assert credit == pytest.approx(0.25, abs=0.03)
