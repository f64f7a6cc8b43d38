"""The course pack as typed, immutable objects: course, lessons, questions, settings."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal


class GradingMethod(StrEnum):
    """How a section's several attempts become one section score."""

    HIGHEST = "highest"
    LATEST = "latest"
    AVERAGE = "average"
    FIRST = "first"


def option_id(question_id: str, text: str) -> str:
    """Return a stable, opaque id for an option: it reveals neither position nor correctness."""
    digest = hashlib.sha256(f"{question_id}\x1f{text}".encode()).hexdigest()
    return digest[:10]


@dataclass(frozen=True)
class Option:
    id: str
    text: str


@dataclass(frozen=True, kw_only=True)
class Question:
    """Fields every question type shares; subclasses add their options and key."""

    id: str
    lesson_id: str
    prompt: str
    explanation: str
    source: str
    source_anchor: str
    objectives: tuple[str, ...] = ()  # ids of the lesson objectives this question measures (at least one)
    type: str = ""

    def options_to_shuffle(self) -> tuple[Option, ...]:
        """Return the options whose display order is drawn per attempt (empty if fixed)."""
        return ()


@dataclass(frozen=True, kw_only=True)
class SingleChoiceQuestion(Question):
    options: tuple[Option, ...]
    answer_id: str
    type: Literal["single"] = "single"

    def options_to_shuffle(self) -> tuple[Option, ...]:
        return self.options


@dataclass(frozen=True, kw_only=True)
class MultipleResponseQuestion(Question):
    options: tuple[Option, ...]
    answer_ids: frozenset[str]
    type: Literal["multiple"] = "multiple"

    def options_to_shuffle(self) -> tuple[Option, ...]:
        return self.options


@dataclass(frozen=True, kw_only=True)
class TrueFalseQuestion(Question):
    answer: bool
    type: Literal["true_false"] = "true_false"


@dataclass(frozen=True, kw_only=True)
class OrderingQuestion(Question):
    sequence: tuple[Option, ...]  # the correct order
    type: Literal["ordering"] = "ordering"

    def options_to_shuffle(self) -> tuple[Option, ...]:
        return self.sequence


@dataclass(frozen=True, kw_only=True)
class MatchingQuestion(Question):
    terms: tuple[Option, ...]
    matches: tuple[Option, ...]  # every pair's match, then the distractors
    key: dict[str, str] = field(hash=False)  # term id -> match id

    type: Literal["matching"] = "matching"

    def options_to_shuffle(self) -> tuple[Option, ...]:
        return self.matches


QUESTION_TYPES = ("single", "multiple", "true_false", "ordering", "matching")


@dataclass(frozen=True)
class Block:
    """A paragraph, list item, heading or table cell of a lesson, with its anchor."""

    anchor: str
    text: str


@dataclass(frozen=True)
class Objective:
    """A learning objective of a lesson; questions name the objectives they measure by id."""

    id: str
    text: str


@dataclass(frozen=True, kw_only=True)
class Lesson:
    id: str
    title: str
    summary: str
    minutes: int
    objectives: tuple[Objective, ...]
    html: str
    blocks: tuple[Block, ...]
    questions: tuple[Question, ...] = ()

    def objective(self, objective_id: str) -> Objective | None:
        """Return the objective with this id, or None."""
        return next((item for item in self.objectives if item.id == objective_id), None)

    def questions_for(self, objective_id: str) -> tuple[Question, ...]:
        """Return the bank's questions that measure this objective."""
        return tuple(question for question in self.questions if objective_id in question.objectives)


@dataclass(frozen=True, kw_only=True)
class QuizSettings:
    questions_per_attempt: int
    pass_mark: float
    max_attempts: int  # 0 means no limit


@dataclass(frozen=True, kw_only=True)
class Band:
    name: str
    min_score: float
    all_passed: bool = False


@dataclass(frozen=True, kw_only=True)
class ReadinessSettings:
    grading: GradingMethod
    weights: dict[str, float] = field(hash=False)
    bands: tuple[Band, ...]


@dataclass(frozen=True, kw_only=True)
class Course:
    id: str
    title: str
    description: str
    lessons: tuple[Lesson, ...]
    quiz: QuizSettings
    readiness: ReadinessSettings

    def lesson(self, lesson_id: str) -> Lesson | None:
        """Return the lesson with this id, or None."""
        return self._lessons_by_id.get(lesson_id)

    def question(self, question_id: str) -> Question | None:
        """Return the question with this id from any bank, or None."""
        return self._questions_by_id.get(question_id)

    @property
    def lesson_ids(self) -> tuple[str, ...]:
        return tuple(lesson.id for lesson in self.lessons)

    def neighbours(self, lesson_id: str) -> tuple[Lesson | None, Lesson | None]:
        """Return the lessons before and after this one in course order."""
        ids = self.lesson_ids
        index = ids.index(lesson_id)
        before = self.lessons[index - 1] if index > 0 else None
        after = self.lessons[index + 1] if index + 1 < len(ids) else None
        return before, after

    def __post_init__(self) -> None:
        # Indexes built once at load: views look lessons and questions up on every request.
        object.__setattr__(self, "_lessons_by_id", {lesson.id: lesson for lesson in self.lessons})
        object.__setattr__(
            self,
            "_questions_by_id",
            {q.id: q for lesson in self.lessons for q in lesson.questions},
        )
