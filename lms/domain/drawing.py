"""Blueprint draws: an attempt covers every objective of its lesson, then fills up at random.

The rule (documented for authors in docs/authoring.md):
1. Cover: choose items so that every objective some item measures is measured at least once,
   any item in turn (unseen ones first), and only when the slots are short, items that measure
   several objectives. When even the smallest cover needs more slots than the
   attempt has, cover as many objectives as the slots allow.
2. Fill: the remaining slots at random from the unseen items, then from the seen ones.
3. Shuffle the chosen items and their parts, as grading.draw_questions does.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Sequence

from .course import Lesson, Question
from .grading import PresentedQuestion, draw_questions


def draw_attempt(
    lesson: Lesson, count: int, rng: random.Random, seen: Collection[str] = ()
) -> tuple[PresentedQuestion, ...]:
    """Draw count questions of the lesson's bank covering its objectives, unseen ones first, shuffled."""
    chosen = choose_questions(lesson.questions, [item.id for item in lesson.objectives], count, rng, seen)
    return draw_questions(chosen, len(chosen), rng)


def choose_questions(
    bank: Sequence[Question], objectives: Sequence[str], count: int, rng: random.Random, seen: Collection[str] = ()
) -> list[Question]:
    """Return min(count, len(bank)) distinct questions: a cover of the objectives, then a random fill."""
    count = min(count, len(bank))
    seen = set(seen)
    wanted = [objective for objective in objectives if any(objective in q.objectives for q in bank)]
    cover = _cover(bank, wanted, count, rng, seen)
    taken = {question.id for question in cover}
    rest = [question for question in bank if question.id not in taken]
    rng.shuffle(rest)
    rest.sort(key=lambda question: question.id in seen)  # stable: unseen first, each group in random order
    return cover + rest[: count - len(cover)]


def _cover(
    bank: Sequence[Question], wanted: Sequence[str], count: int, rng: random.Random, seen: set[str]
) -> list[Question]:
    """Return at most count questions measuring every wanted objective, or as many as fit."""
    if not wanted or count == 0:
        return []
    unseen = [question for question in bank if question.id not in seen]
    attempts = (
        lambda: _greedy(bank, wanted, rng, seen, _spread),
        lambda: _greedy(bank, wanted, rng, seen, _unseen_then_most),
        lambda: _smallest_cover(unseen, wanted, rng, seen),
        lambda: _greedy(bank, wanted, rng, seen, _most_then_unseen),
        lambda: _smallest_cover(bank, wanted, rng, seen),
    )
    for attempt in attempts:
        cover = attempt()
        if cover is not None and len(cover) <= count:
            return cover
    # More objectives than the slots can reach: the most-covering greedy choice, cut to size.
    return _greedy(bank, wanted, rng, seen, _most_then_unseen)[:count]


# How a greedy cover ranks a question, given how many uncovered objectives it measures and whether
# the learner has seen it. Ties go to a random one of the best.
def _spread(new: int, unseen: bool) -> tuple:
    # Any useful item, unseen first: every item gets its turn, not only the broadest ones.
    return (new > 0, unseen)


def _unseen_then_most(new: int, unseen: bool) -> tuple:
    return (new > 0 and unseen, new)


def _most_then_unseen(new: int, unseen: bool) -> tuple:
    return (new, unseen)


def _greedy(
    bank: Sequence[Question],
    wanted: Sequence[str],
    rng: random.Random,
    seen: set[str],
    rank: Callable[[int, bool], tuple],
) -> list[Question]:
    """Pick questions one at a time until every wanted objective is measured."""
    uncovered, chosen = set(wanted), []
    pool = list(bank)
    rng.shuffle(pool)
    while uncovered:
        best = max(pool, key=lambda q: rank(len(uncovered.intersection(q.objectives)), q.id not in seen))
        chosen.append(best)
        pool.remove(best)
        uncovered -= set(best.objectives)
    return chosen


def _smallest_cover(
    bank: Sequence[Question], wanted: Sequence[str], rng: random.Random, seen: set[str]
) -> list[Question]:
    """Return a smallest set of questions measuring every wanted objective (fewest seen among equals)."""
    bit = {objective: 1 << position for position, objective in enumerate(wanted)}
    masks = []
    for question in bank:
        mask = sum(bit[objective] for objective in set(question.objectives) if objective in bit)
        if mask:
            masks.append((mask, question))
    rng.shuffle(masks)
    full = (1 << len(wanted)) - 1
    # Breadth first over the sets of objectives covered: the first time full is reached is a
    # smallest cover (at most 2**8 states, since a lesson has at most 8 objectives).
    best: dict[int, tuple[int, list[Question]]] = {0: (0, [])}
    frontier = [0]
    while full not in best and frontier:
        reached: dict[int, tuple[int, list[Question]]] = {}
        for covered in frontier:
            seen_count, questions = best[covered]
            for mask, question in masks:
                after = covered | mask
                if after in best or any(question.id == other.id for other in questions):
                    continue
                candidate = (seen_count + (question.id in seen), [*questions, question])
                if after not in reached or candidate[0] < reached[after][0]:
                    reached[after] = candidate
        best.update(reached)
        frontier = list(reached)
    return best[full][1] if full in best else None
