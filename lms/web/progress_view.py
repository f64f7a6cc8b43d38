"""What the progress tables show (the learner's dashboard and outline, an instructor's review of one
learner), worked out once in Python so that the templates only print it: a Jinja loop with filters
and macro calls per row cost the dashboard more than everything else on it. Status codes here, their
words in STATUS_BADGES.
"""

from __future__ import annotations

from ..domain.course import Course, Lesson
from ..domain.values import value
from ..models import LessonProgress, ProgressRecord
from ..services.progress import CourseProgress, is_lesson_complete

# A lesson's status as a badge: (CSS class, words).
STATUS_BADGES = {
    "not_started": ("badge-muted", "Not started"),
    "complete": ("badge-success", "Complete"),
    "passed": ("badge-info", "Quiz passed"),
    "read": ("badge-info", "Read"),
    "in_progress": ("badge-warn", "In progress"),
}


def lesson_badge(row: LessonProgress | ProgressRecord | None) -> tuple[str, str]:
    """The badge of one lesson's status: (CSS class, words)."""
    return STATUS_BADGES[lesson_status(row)]


def lesson_status(row: LessonProgress | ProgressRecord | None) -> str:
    """The status code of one lesson from its progress row (None: no record yet)."""
    if row is None:
        return "not_started"
    if is_lesson_complete(row):
        return "complete"
    if row.passed_at is not None:
        return "passed"
    if row.read_at is not None:
        return "read"
    if row.first_viewed_at is not None or row.attempts_count:
        return "in_progress"
    return "not_started"


@value
class SectionRow:
    """One lesson's line in the readiness table."""

    lesson: Lesson
    status: str
    score: float | None
    attempts: int
    weight: float

    @property
    def badge(self) -> tuple[str, str]:
        return STATUS_BADGES[self.status]

    @property
    def weight_text(self) -> str:
        """The weight as people write it: 2, 1.5, 1.25."""
        return f"{self.weight:g}"


@value
class LessonToDo:
    """A lesson not complete yet, and what it still needs."""

    lesson: Lesson
    read: bool
    passed: bool


@value
class ProgressView:
    """The rows of a learner's readiness table, what is left to do, and the sections to review first."""

    sections: list[SectionRow]
    weighted: list[SectionRow]  # the sections that count more or less than once, for the table's sentence
    to_do: list[LessonToDo]
    weakest: list[SectionRow]


def progress_view(course: Course, progress: CourseProgress) -> ProgressView:
    """Lay out one learner's progress for the tables, in course order."""
    sections = []
    for section in progress.readiness.sections:
        row = progress.lessons.get(section.lesson_id)
        sections.append(
            SectionRow(
                course.lesson(section.lesson_id),
                lesson_status(row),
                section.score,
                row.attempts_count if row is not None else 0,
                section.weight,
            )
        )
    by_lesson = {row.lesson.id: row for row in sections}
    to_do = []
    for lesson in course.lessons:
        row = progress.lessons.get(lesson.id)
        if not is_lesson_complete(row):
            to_do.append(LessonToDo(lesson, row is not None and row.is_read, row is not None and row.is_passed))
    return ProgressView(
        sections=sections,
        weighted=[row for row in sections if row.weight != 1] if len({row.weight for row in sections}) > 1 else [],
        to_do=to_do,
        weakest=[by_lesson[lesson_id] for lesson_id in progress.readiness.weakest()],
    )
