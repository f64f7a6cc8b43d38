"""The course pack as typed, immutable objects: course, lessons, questions, settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .questions import Question


class GradingMethod(StrEnum):
    """How a section's several attempts become one section score."""

    HIGHEST = "highest"
    LATEST = "latest"
    AVERAGE = "average"
    FIRST = "first"


@dataclass(frozen=True)
class Block:
    """A paragraph, list item, heading or table cell of a lesson, with its anchor."""

    anchor: str
    text: str
    level: int = 0  # 2-6 for a heading (h2-h6), 0 for any other block


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

    @property
    def sections(self) -> tuple[Block, ...]:
        """Return the lesson's top headings (##), in reading order: its table of contents."""
        return tuple(block for block in self.blocks if block.level == 2)


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


class ShowKey(StrEnum):
    """When a learner's review of a submitted attempt shows the right answers (like Moodle's review options)."""

    AFTER_PASS = "after_pass"  # once the learner has passed the quiz
    AFTER_LAST_ATTEMPT = "after_last_attempt"  # once the learner has no attempt left
    ALWAYS = "always"
    NEVER = "never"


@dataclass(frozen=True, kw_only=True)
class ReviewSettings:
    show_key: ShowKey = ShowKey.AFTER_LAST_ATTEMPT


@dataclass(frozen=True, kw_only=True)
class Course:
    id: str
    title: str
    description: str
    lessons: tuple[Lesson, ...]
    quiz: QuizSettings
    readiness: ReadinessSettings
    review: ReviewSettings = field(default_factory=ReviewSettings)

    def lesson(self, lesson_id: str) -> Lesson | None:
        """Return the lesson with this id, or None."""
        return self._lessons_by_id.get(lesson_id)

    def question(self, question_id: str) -> Question | None:
        """Return the question with this id from any bank, or None."""
        return self._questions_by_id.get(question_id)

    @property
    def lesson_ids(self) -> tuple[str, ...]:
        return self._lesson_ids

    def neighbours(self, lesson_id: str) -> tuple[Lesson | None, Lesson | None]:
        """Return the lessons before and after this one in course order."""
        ids = self.lesson_ids
        index = ids.index(lesson_id)
        before = self.lessons[index - 1] if index > 0 else None
        after = self.lessons[index + 1] if index + 1 < len(ids) else None
        return before, after

    def __post_init__(self) -> None:
        # Indexes built once at load: views look lessons and questions up on every request.
        object.__setattr__(self, "_lesson_ids", tuple(lesson.id for lesson in self.lessons))
        object.__setattr__(self, "_lessons_by_id", {lesson.id: lesson for lesson in self.lessons})
        object.__setattr__(
            self,
            "_questions_by_id",
            {q.id: q for lesson in self.lessons for q in lesson.questions},
        )
