"""Stored summaries that never go stale: recompute those computed with other pack settings."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import or_, select, update

from ..domain.course import Course
from ..extensions import db
from ..models import Enrollment, LessonProgress, utcnow
from .progress import apply_summary, course_progress_from_rows, summary_key


def stale_summaries(course: Course):
    """Return a query of the course's enrollments whose summary was computed with other settings."""
    key = summary_key(course)
    return select(Enrollment).where(
        Enrollment.course_id == course.id, or_(Enrollment.summary_key.is_(None), Enrollment.summary_key != key)
    )


def refresh_stale_summaries(course: Course, batch_size: int = 500, now: datetime | None = None) -> int:
    """Recompute one batch of stale summaries (two queries and one flush); return how many were refreshed.

    Call it until it returns 0, committing after each batch. Rows are locked while they are rewritten
    (PostgreSQL FOR UPDATE SKIP LOCKED: a learner's own write in progress is left for the next batch).
    """
    now = now or utcnow()
    query = stale_summaries(course).order_by(Enrollment.id).limit(batch_size)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    else:
        # SQLite: take the write lock before reading, as lock_enrollment does, so that no submit
        # lands between the read of the progress rows and the write of the summary.
        db.session.execute(update(Enrollment).where(Enrollment.id == -1).values(summary_key=None))
    enrollments = db.session.execute(query.execution_options(populate_existing=True)).scalars().all()
    if not enrollments:
        return 0
    rows: dict[int, dict[str, LessonProgress]] = defaultdict(dict)
    for row in db.session.execute(
        select(LessonProgress)
        .where(LessonProgress.enrollment_id.in_([enrollment.id for enrollment in enrollments]))
        .execution_options(populate_existing=True)
    ).scalars():
        rows[row.enrollment_id][row.lesson_id] = row
    for enrollment in enrollments:
        apply_summary(enrollment, course, course_progress_from_rows(course, rows[enrollment.id]), now)
    db.session.flush()
    return len(enrollments)
