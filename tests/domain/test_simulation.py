"""Demo-cohort simulator: deterministic, consistent with the grader, ordered in time, realistic, fast."""

import random
import re
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import correlation, mean
from types import SimpleNamespace

import pytest

from lms.domain.grading import check_response, grade_attempt
from lms.domain.loading import load_course_pack
from lms.domain.questions.matching import MatchingQuestion
from lms.domain.questions.multiple import MultipleResponseQuestion
from lms.domain.questions.ordering import OrderingQuestion
from lms.domain.questions.single import SingleChoiceQuestion
from lms.domain.simulation import pick_special_questions, simulate_cohort

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MINI_PACK = Path(__file__).resolve().parents[1] / "data" / "mini_pack"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def mini():
    return load_course_pack(MINI_PACK)


@pytest.fixture(scope="module")
def real():
    return load_course_pack(PROJECT_ROOT)


@pytest.fixture(scope="module")
def mini_cohort(mini):
    rng = random.Random(11)
    hard, broken = pick_special_questions(mini, rng)
    return mini, list(simulate_cohort(mini, 600, rng, NOW, broken, hard))


@pytest.fixture(scope="module")
def real_cohort(real):
    """2,000 learners on the real pack, with how long they took to generate."""
    rng = random.Random(2024)
    hard, broken = pick_special_questions(real, rng)
    started = time.perf_counter()
    learners = list(simulate_cohort(real, 2000, rng, NOW, broken, hard))
    seconds = time.perf_counter() - started
    return SimpleNamespace(course=real, learners=learners, hard=hard, broken=broken, seconds=seconds)


@pytest.fixture(params=["mini", "real"])
def cohort(request, mini_cohort, real_cohort):
    """Each pack's cohort as (course, learners)."""
    if request.param == "mini":
        return mini_cohort
    return real_cohort.course, real_cohort.learners


def all_attempts(learners):
    for learner in learners:
        for lesson in learner.lessons:
            for attempt in lesson.attempts:
                yield lesson, attempt


def test_same_seed_gives_the_same_cohort(mini):
    def run(seed):
        rng = random.Random(seed)
        hard, broken = pick_special_questions(mini, rng)
        return list(simulate_cohort(mini, 200, rng, NOW, broken, hard))

    assert run(5) == run(5)
    assert run(5) != run(6)


def test_learners_have_unique_realistic_identities(cohort):
    _, learners = cohort
    assert [learner.index for learner in learners] == list(range(1, len(learners) + 1))
    emails = [learner.email for learner in learners]
    assert len(set(emails)) == len(emails)
    for learner in learners:
        assert re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", learner.name)
        assert re.fullmatch(r"[a-z]+\.[a-z]+\.\d+@demo\.example", learner.email)
        assert learner.email.startswith(learner.name.lower().replace(" ", ".") + ".")
    assert len({learner.name for learner in learners}) > 100


def test_every_lesson_is_listed_in_course_order(cohort):
    course, learners = cohort
    for learner in learners:
        assert tuple(lesson.lesson_id for lesson in learner.lessons) == course.lesson_ids


def test_times_are_ordered_and_never_after_now(cohort):
    _, learners = cohort
    earliest = NOW - timedelta(days=120)
    for learner in learners:
        assert earliest <= learner.enrolled_at <= NOW
        assert learner.enrolled_at.utcoffset() == timedelta(0)
        previous = learner.enrolled_at
        for lesson in learner.lessons:
            if lesson.first_viewed_at is None:
                assert lesson.read_at is None and lesson.attempts == ()
                continue
            assert previous <= lesson.first_viewed_at <= NOW
            previous = lesson.first_viewed_at
            if lesson.read_at is not None:
                assert previous <= lesson.read_at <= NOW
                previous = lesson.read_at
            for attempt in lesson.attempts:
                assert previous <= attempt.started_at < attempt.submitted_at <= NOW
                assert timedelta(minutes=2) <= attempt.submitted_at - attempt.started_at <= timedelta(minutes=15)
                previous = attempt.submitted_at


def test_lessons_are_reached_in_order(cohort):
    _, learners = cohort
    for learner in learners:
        touched = [lesson.first_viewed_at is not None for lesson in learner.lessons]
        assert touched == sorted(touched, reverse=True), "a later lesson was opened before an earlier one"


def test_responses_fit_and_results_are_the_graders(cohort):
    course, learners = cohort
    for lesson, attempt in all_attempts(learners):
        bank = {question.id: question for question in course.lesson(lesson.lesson_id).questions}
        questions = [bank[shown.question_id] for shown in attempt.presented]
        assert len(questions) == min(course.quiz.questions_per_attempt, len(bank))
        assert set(attempt.responses) == {question.id for question in questions}
        for question in questions:
            check_response(question, attempt.responses[question.id])
        assert attempt.result == grade_attempt(questions, attempt.responses, course.quiz.pass_mark)


def test_attempts_are_numbered_and_stop_after_a_pass(cohort):
    course, learners = cohort
    improved = passed = 0
    for lesson in (lesson for learner in learners for lesson in learner.lessons):
        numbers = [attempt.number for attempt in lesson.attempts]
        assert numbers == list(range(1, len(numbers) + 1))
        assert len(numbers) <= course.quiz.max_attempts
        outcomes = [attempt.result.passed for attempt in lesson.attempts]
        if True in outcomes:
            passed += 1
            after_pass = len(outcomes) - outcomes.index(True) - 1
            assert after_pass <= 1, "only one retake to improve after a pass"
            improved += after_pass
    assert passed > 100
    assert improved / passed < 0.1


def test_unlimited_attempts_are_capped_at_four(mini):
    unlimited = replace(mini, quiz=replace(mini.quiz, max_attempts=0))
    rng = random.Random(3)
    hard, broken = pick_special_questions(unlimited, rng)
    learners = simulate_cohort(unlimited, 800, rng, NOW, broken, hard)
    counts = Counter(len(lesson.attempts) for learner in learners for lesson in learner.lessons)
    assert max(counts) == 4


def test_special_questions_are_picked_per_lesson(real):
    hard, broken = pick_special_questions(real, random.Random(1))
    assert (hard, broken) == pick_special_questions(real, random.Random(1))
    assert not hard & broken
    for lesson in real.lessons:
        ids = {question.id for question in lesson.questions}
        assert len(broken & ids) == 1
        assert 1 <= len(hard & ids) <= 2
        assert isinstance(real.question(next(iter(broken & ids))), SingleChoiceQuestion)


def test_cohort_shows_the_intended_statistics(real_cohort):
    learners = real_cohort.learners
    never_started = sum(all(lesson.first_viewed_at is None for lesson in learner.lessons) for learner in learners)
    assert 0.05 <= never_started / len(learners) <= 0.15
    reached_all = sum(all(lesson.first_viewed_at is not None for lesson in learner.lessons) for learner in learners)
    assert 0.25 <= reached_all / len(learners) <= 0.45
    viewed = [lesson for learner in learners for lesson in learner.lessons if lesson.first_viewed_at is not None]
    assert 0.7 <= sum(lesson.read_at is not None for lesson in viewed) / len(viewed) <= 0.9

    credits: dict[str, list[float]] = {}
    pairs: dict[str, list[tuple[float, float]]] = {"broken": [], "normal": []}
    for _, attempt in all_attempts(learners):
        results = attempt.result.results
        total = sum(result.credit for result in results)
        for result in results:
            credits.setdefault(result.question_id, []).append(result.credit)
            rest = (total - result.credit) / (len(results) - 1)
            if result.question_id in real_cohort.broken:
                pairs["broken"].append((result.credit, rest))
            elif result.question_id not in real_cohort.hard:
                pairs["normal"].append((result.credit, rest))
    overall = mean(credit for values in credits.values() for credit in values)
    hard_mean = mean(credit for question_id in real_cohort.hard for credit in credits[question_id])
    assert hard_mean < overall - 0.25
    assert correlation(*zip(*pairs["broken"], strict=True)) < -0.1
    assert correlation(*zip(*pairs["normal"], strict=True)) > 0.2


def test_wrong_answers_look_like_real_ones(real_cohort):
    course = real_cohort.course
    wrong_single: dict[str, Counter] = {}
    partial: Counter = Counter()
    for _, attempt in all_attempts(real_cohort.learners):
        for result in attempt.result.results:
            question = course.question(result.question_id)
            response = attempt.responses[question.id]
            if isinstance(question, SingleChoiceQuestion) and response not in (None, question.answer_id):
                wrong_single.setdefault(question.id, Counter())[response] += 1
            if 0 < result.credit < 1:
                partial[type(question)] += 1
    assert {MultipleResponseQuestion, OrderingQuestion, MatchingQuestion} <= set(partial)
    # Each single-choice question has a distractor chosen far more often than an even share.
    popular = [max(counts.values()) / sum(counts.values()) for counts in wrong_single.values() if counts.total() >= 30]
    assert popular and min(popular) > 0.4


def test_generation_is_fast(real_cohort):
    assert len(real_cohort.learners) == 2000
    assert real_cohort.seconds < 3, f"2,000 learners took {real_cohort.seconds:.2f}s"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"learners": -1}, "0 or more"),
        ({"now": datetime(2025, 6, 1)}, "aware"),
        ({"broken_questions": frozenset({"nope"})}, "nope"),
        ({"hard_questions": frozenset({"alpha-red", "missing"})}, "missing"),
    ],
)
def test_bad_arguments_are_rejected(mini, arguments, message):
    call = {"learners": 1, "now": NOW, **arguments}
    with pytest.raises(ValueError, match=message):
        simulate_cohort(mini, rng=random.Random(1), **call)


def test_no_special_questions_and_no_learners(mini):
    assert list(simulate_cohort(mini, 0, random.Random(1), NOW)) == []
    learners = list(simulate_cohort(mini, 50, random.Random(1), NOW))
    assert len(learners) == 50
