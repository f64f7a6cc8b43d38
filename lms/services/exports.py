"""Rows for the instructors' CSV exports, streamed from one query each."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select

from ..domain.course import Course
from ..extensions import db
from ..models import Attempt, Enrollment, User
from .analysis import learner_attempts

ATTEMPTS_HEADER = [
    "attempt_id", "name", "email", "lesson", "attempt", "started_at", "submitted_at",
    "duration_seconds", "questions", "points", "score", "passed",
]  # fmt: skip


def attempts_export_rows(course: Course, cohort_ids: frozenset[int] | None, chunk: int = 2000) -> Iterator[list]:
    """Yield every submitted attempt of the course's learners (in these cohorts) as ATTEMPTS_HEADER columns."""
    query = (
        learner_attempts(
            select(
                Attempt.id,
                User.name,
                User.email,
                Attempt.lesson_id,
                Attempt.number,
                Attempt.started_at,
                Attempt.submitted_at,
                Attempt.question_count,
                Attempt.points,
                Attempt.score,
                Attempt.passed,
            ),
            course,
            cohort_ids,
        )
        .join(User, User.id == Enrollment.user_id)
        .order_by(Attempt.id)
        .execution_options(yield_per=chunk)
    )
    for row in db.session.execute(query):
        duration = round((row.submitted_at - row.started_at).total_seconds())
        yield [*row[:7], duration, *row[7:]]


def submitted_counts(course: Course, cohort_ids: frozenset[int] | None) -> dict[str, int]:
    """How many submitted attempts of the course's learners (in these cohorts) each quiz has."""
    query = learner_attempts(select(Attempt.lesson_id, func.count()), course, cohort_ids).group_by(Attempt.lesson_id)
    return dict(db.session.execute(query).all())
