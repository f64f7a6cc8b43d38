"""Feedback that teaches: objectives an attempt missed, and when a review may show the key."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .course import Lesson, Objective, ShowKey
from .grading import QuestionResult


@dataclass(frozen=True)
class Passage:
    """A part of a lesson to re-read: its anchor and the heading of the section it stands in."""

    anchor: str
    section: str | None  # None when it comes before the lesson's first heading


@dataclass(frozen=True)
class ObjectiveFeedback:
    """How one objective of a lesson fared in one attempt."""

    objective: Objective
    measured: int  # items of the attempt that measure it
    missed: int  # of those, items not fully right
    passages: tuple[Passage, ...]  # the missed items' sources, each once, in reading order

    @property
    def was_missed(self) -> bool:
        return self.missed > 0


def objective_feedback(lesson: Lesson, results: Iterable[QuestionResult]) -> tuple[ObjectiveFeedback, ...]:
    """Return, in the lesson's order, each objective the attempt measured; results for unknown questions are skipped."""
    questions = {question.id: question for question in lesson.questions}
    measured: dict[str, int] = {}
    missed: dict[str, int] = {}
    anchors: dict[str, set[str]] = {}
    for result in results:
        question = questions.get(result.question_id)
        if question is None:
            continue  # since removed from the pack: it measures nothing we can name
        for objective_id in question.objectives:
            measured[objective_id] = measured.get(objective_id, 0) + 1
            if not result.correct:
                missed[objective_id] = missed.get(objective_id, 0) + 1
                anchors.setdefault(objective_id, set()).add(question.source_anchor)
    order = {block.anchor: index for index, block in enumerate(lesson.blocks)}
    sections = _sections_by_anchor(lesson)

    def passages(found: set[str]) -> tuple[Passage, ...]:
        ordered = sorted(found, key=lambda anchor: order.get(anchor, len(order)))
        return tuple(Passage(anchor, sections.get(anchor)) for anchor in ordered)

    return tuple(
        ObjectiveFeedback(
            objective, measured[objective.id], missed.get(objective.id, 0), passages(anchors.get(objective.id, set()))
        )
        for objective in lesson.objectives
        if objective.id in measured
    )


def _sections_by_anchor(lesson: Lesson) -> dict[str, str]:
    """Map every block's anchor to the text of the nearest heading at or before it."""
    sections: dict[str, str] = {}
    current = None
    for block in lesson.blocks:
        if block.level:
            current = block.text
        if current is not None:
            sections[block.anchor] = current
    return sections


def may_show_key(show_key: ShowKey, quiz_passed: bool, attempts_left: int | None) -> bool:
    """Return whether a learner's review may show the right answers, given their standing at this quiz."""
    # attempts_left is None when the course sets no limit: there is no last attempt then.
    if show_key is ShowKey.ALWAYS:
        return True
    if show_key is ShowKey.AFTER_PASS:
        return quiz_passed
    if show_key is ShowKey.AFTER_LAST_ATTEMPT:
        return attempts_left == 0
    return False
