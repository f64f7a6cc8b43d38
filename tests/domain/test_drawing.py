"""Blueprint draws: every attempt covers every objective, every item gets drawn, retakes prefer unseen items."""

import random
from collections import Counter
from itertools import combinations

import pytest

from lms.domain.course import Lesson, Objective
from lms.domain.drawing import choose_questions, draw_attempt
from lms.domain.grading import resolve_presented
from lms.domain.loading import load_course_pack

from ..conftest import MINI_PACK, PROJECT_ROOT
from ..items import single

REAL = load_course_pack(PROJECT_ROOT)
SEEDS = range(200)


def item(qid: str, *objectives: str):
    return single(qid, f"Key of {qid}", [f"Wrong of {qid}", f"Other of {qid}"], f"Prompt {qid}?", objectives)


def lesson_of(objectives: tuple[str, ...], *questions) -> Lesson:
    return Lesson(
        id="small",
        title="Small",
        summary="",
        minutes=1,
        objectives=tuple(Objective(objective, objective) for objective in objectives),
        html="",
        blocks=(),
        questions=tuple(questions),
    )


# Five objectives, one of them measured by a single item among twelve: a plain random sample of
# four would miss it two times in three.
SMALL = lesson_of(
    ("a", "b", "c", "d", "e"),
    item("a1", "a"), item("a2", "a"), item("a3", "a"),
    item("b1", "b"), item("b2", "b"), item("bc", "b", "c"),
    item("c1", "c"), item("d1", "d"), item("d2", "d"), item("de", "d", "e"),
    item("e1", "e"), item("untagged"),
)  # fmt: skip


def drawn_ids(lesson: Lesson, count: int, seed: int, seen=()) -> list[str]:
    return [shown.question_id for shown in draw_attempt(lesson, count, random.Random(seed), seen)]


def covered(lesson: Lesson, ids) -> set[str]:
    by_id = {question.id: question for question in lesson.questions}
    return {objective for qid in ids for objective in by_id[qid].objectives}


def measured(lesson: Lesson) -> set[str]:
    return {objective.id for objective in lesson.objectives if lesson.questions_for(objective.id)}


@pytest.mark.parametrize("lesson", [SMALL, *REAL.lessons], ids=lambda lesson: lesson.id)
def test_every_attempt_covers_every_objective(lesson):
    count = 4 if lesson is SMALL else REAL.quiz.questions_per_attempt
    for seed in SEEDS:
        ids = drawn_ids(lesson, count, seed)
        assert len(ids) == len(set(ids)) == min(count, len(lesson.questions))
        assert covered(lesson, ids) == measured(lesson), f"seed {seed}"


@pytest.mark.parametrize("lesson", [SMALL, *REAL.lessons], ids=lambda lesson: lesson.id)
def test_over_many_draws_every_item_is_used(lesson):
    count = 4 if lesson is SMALL else REAL.quiz.questions_per_attempt
    used = Counter(qid for seed in SEEDS for qid in drawn_ids(lesson, count, seed))
    assert set(used) == {question.id for question in lesson.questions}


def test_the_small_lesson_needs_the_blueprint():
    # The same bank drawn as a plain sample misses objective c or e in most attempts.
    rng = random.Random(0)
    misses = sum(covered(SMALL, [q.id for q in rng.sample(SMALL.questions, 4)]) != measured(SMALL) for _ in SEEDS)
    assert misses > len(SEEDS) / 2


def test_an_attempt_is_shuffled_and_resolves_like_any_draw():
    orders = {tuple(drawn_ids(SMALL, 4, seed)) for seed in range(20)}
    assert len(orders) > 10
    presented = draw_attempt(SMALL, 4, random.Random(3))
    by_id = {question.id: question for question in SMALL.questions}
    assert [q.id for q in resolve_presented(by_id, presented)] == [shown.question_id for shown in presented]
    assert all(len(shown.option_order) == 3 for shown in presented)


def test_the_same_seed_draws_the_same_attempt():
    assert draw_attempt(SMALL, 4, random.Random(9)) == draw_attempt(SMALL, 4, random.Random(9))


def test_a_retake_prefers_items_not_seen_yet():
    for seed in SEEDS:
        first = drawn_ids(SMALL, 4, seed)
        second = drawn_ids(SMALL, 4, seed + 1000, seen=first)
        assert covered(SMALL, second) == measured(SMALL)
        # Eight unseen items remain: a seen one comes back only if no four unseen cover everything.
        unseen = [q.id for q in SMALL.questions if q.id not in first]
        unseen_cover_fits = any(
            covered(SMALL, ids) == measured(SMALL) for size in range(1, 5) for ids in combinations(unseen, size)
        )
        assert not (set(first) & set(second)) or not unseen_cover_fits, f"seed {seed}"


def test_covering_an_objective_comes_before_avoiding_seen_items():
    # No unseen item measures objective a: one seen a-item comes back, the other three are unseen.
    seen = ["a1", "a2", "a3", "b1", "b2", "c1", "d1", "d2"]
    for seed in range(50):
        ids = set(drawn_ids(SMALL, 4, seed, seen=seen))
        assert len(ids & {"a1", "a2", "a3"}) == 1 and {"bc", "de"} <= ids
        assert len(ids & set(seen)) == 1


def test_the_smallest_cover_is_found_when_the_greedy_one_is_too_big():
    # "big" measures four objectives, but then e and f need two more items: three in all.
    # Two items, "left" and "right", measure all six.
    lesson = lesson_of(
        ("a", "b", "c", "d", "e", "f"),
        item("big", "a", "b", "c", "d"),
        item("left", "a", "b", "e"),
        item("right", "c", "d", "f"),
        item("e1", "e"),
        item("f1", "f"),
    )
    for seed in range(50):
        assert set(drawn_ids(lesson, 2, seed)) == {"left", "right"}


def test_more_objectives_than_slots_covers_as_many_as_fit():
    lesson = lesson_of(("a", "b", "c", "d"), item("a1", "a"), item("b1", "b"), item("c1", "c"), item("d1", "d"))
    for seed in range(50):
        ids = drawn_ids(lesson, 2, seed)
        assert len(ids) == 2 and len(covered(lesson, ids)) == 2


def test_untagged_items_and_objectives_without_items():
    lesson = lesson_of(("a", "lonely"), item("a1", "a"), item("x1"), item("x2"), item("x3"))
    draws = [drawn_ids(lesson, 2, seed) for seed in SEEDS]
    assert all("a1" in ids for ids in draws), "the one tagged item covers objective a every time"
    assert {qid for ids in draws for qid in ids} == {"a1", "x1", "x2", "x3"}
    untagged = lesson_of(("a",), item("x1"), item("x2"), item("x3"))
    assert sorted(drawn_ids(untagged, 5, 1)) == ["x1", "x2", "x3"], "a small bank is drawn whole"


def test_choose_questions_takes_no_more_than_asked():
    assert choose_questions(SMALL.questions, ["a", "b"], 0, random.Random(1)) == []
    assert len(choose_questions(SMALL.questions, [], 3, random.Random(1))) == 3


def test_the_mini_pack_draws_cover_its_objectives():
    course = load_course_pack(MINI_PACK)
    alpha = course.lesson("alpha")
    for seed in SEEDS:
        assert covered(alpha, drawn_ids(alpha, 2, seed)) == {"colours", "days"}
