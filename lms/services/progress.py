"""Lesson progress (reads never write; writes create rows), the lock, and the per-learner summary."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..domain.course import Course
from ..domain.readiness import Readiness, SectionAttempts, readiness_for
from ..domain.values import value
from ..extensions import db
from ..models import Enrollment, LessonProgress, utcnow


def enrollment_for(user_id: int, course_id: str) -> Enrollment | None:
    """Return the user's enrollment in the course, or None."""
    query = select(Enrollment).where(Enrollment.user_id == user_id, Enrollment.course_id == course_id)
    return db.session.execute(query).scalar_one_or_none()


def lock_enrollment(enrollment: Enrollment) -> None:
    """Lock the enrollment until commit and reload it, so that one learner's writes run one at a time.

    Every write that reads a learner's rows and then writes from what it read takes this lock
    first. PostgreSQL locks the row. SQLite has no row locks: a no-op UPDATE takes the database's
    write lock instead (see the engine set-up in lms/__init__.py), so what follows sees every commit.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        statement = (
            update(Enrollment)
            .where(Enrollment.id == enrollment.id)
            .values(attempts_used=Enrollment.attempts_used)
            .returning(Enrollment)
        )
    else:
        statement = select(Enrollment).where(Enrollment.id == enrollment.id).with_for_update()
    db.session.execute(statement.execution_options(populate_existing=True)).scalar_one()


def insert_for_dialect(model):
    """Return an INSERT for the session's database that supports ON CONFLICT."""
    return (postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert)(model)


def insert_progress_rows(enrollment_id: int, lesson_ids: Iterable[str]) -> None:
    """Insert empty lesson progress rows, skipping any that exist (a concurrent request may add them)."""
    rows = [{"enrollment_id": enrollment_id, "lesson_id": lesson_id} for lesson_id in lesson_ids]
    if not rows:
        return
    statement = (
        insert_for_dialect(LessonProgress)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["enrollment_id", "lesson_id"])
    )
    db.session.execute(statement)


def progress_by_lesson(enrollment: Enrollment, reload: bool = False) -> dict[str, LessonProgress]:
    """Return the enrollment's progress rows by lesson id (a read: a lesson without a row has no record yet).

    reload=True overwrites rows already in the session with what the database holds now.
    """
    query = select(LessonProgress).where(LessonProgress.enrollment_id == enrollment.id)
    if reload:
        query = query.execution_options(populate_existing=True)
    return {row.lesson_id: row for row in db.session.execute(query).scalars()}


def lesson_progress(enrollment: Enrollment, lesson_id: str) -> LessonProgress | None:
    """Return the progress row of one lesson, or None when the learner has no record of it yet."""
    query = select(LessonProgress).where(
        LessonProgress.enrollment_id == enrollment.id, LessonProgress.lesson_id == lesson_id
    )
    return db.session.execute(query).scalar_one_or_none()


def progress_row_for_writing(enrollment: Enrollment, lesson_id: str) -> LessonProgress:
    """Return the progress row of one lesson, creating it first if missing (for writes only)."""
    row = lesson_progress(enrollment, lesson_id)
    if row is None:
        insert_progress_rows(enrollment.id, [lesson_id])
        row = lesson_progress(enrollment, lesson_id)
    return row


def record_view(enrollment: Enrollment, lesson_id: str, now: datetime | None = None) -> None:
    """Record the first time a learner opens a lesson; later views write nothing."""
    progress = lesson_progress(enrollment, lesson_id)
    if progress is not None and progress.first_viewed_at is not None:
        return
    now = now or utcnow()
    lock_enrollment(enrollment)
    progress = progress_row_for_writing(enrollment, lesson_id)
    db.session.refresh(progress)  # a concurrent request may have recorded it meanwhile
    if progress.first_viewed_at is not None:
        return
    progress.first_viewed_at = now
    enrollment.last_activity_at = now
    enrollment.started_at = enrollment.started_at or now
    db.session.flush()


def mark_read(enrollment: Enrollment, lesson_id: str, course: Course, now: datetime | None = None) -> None:
    """Record that the learner finished reading a lesson (idempotent) and refresh the summary."""
    progress = lesson_progress(enrollment, lesson_id)
    if progress is not None and progress.read_at is not None:
        return
    now = now or utcnow()
    lock_enrollment(enrollment)
    progress = progress_row_for_writing(enrollment, lesson_id)
    db.session.refresh(progress)  # a concurrent request may have marked it meanwhile
    if progress.read_at is not None:
        return
    progress.first_viewed_at = progress.first_viewed_at or now
    progress.read_at = now
    enrollment.last_activity_at = now
    enrollment.started_at = enrollment.started_at or now
    db.session.flush()
    refresh_summary(enrollment, course, now)


def section_attempts(progress: LessonProgress) -> SectionAttempts:
    """Turn a progress row into the attempts summary the readiness function reads."""
    if progress.attempts_count == 0:
        return SectionAttempts()
    return SectionAttempts(
        attempts=progress.attempts_count,
        first=progress.first_score,
        latest=progress.latest_score,
        highest=progress.best_score,
        total=progress.score_total,
        passed=progress.passed_at is not None,
    )


def readiness_from_progress(course: Course, progress: Mapping[str, LessonProgress]) -> Readiness:
    """Compute readiness for one learner from their progress rows (a lesson without one: no attempts)."""
    sections = {lesson_id: section_attempts(row) for lesson_id, row in progress.items()}
    return readiness_for(course.readiness, course.lesson_ids, sections)


def is_lesson_complete(progress: LessonProgress | None) -> bool:
    """A lesson is complete when it has been read and its quiz passed."""
    return progress is not None and progress.is_read and progress.is_passed


@value
class CourseProgress:
    """What a learner's outline and dashboard show: per-lesson rows, completion and readiness."""

    lessons: dict[str, LessonProgress]
    completed: int
    total: int
    readiness: Readiness

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0


def course_progress(enrollment: Enrollment, course: Course, reload: bool = False) -> CourseProgress:
    """Load one learner's progress for the whole course in one query (reload: see progress_by_lesson)."""
    return course_progress_from_rows(course, progress_by_lesson(enrollment, reload))


def course_progress_from_rows(course: Course, rows: dict[str, LessonProgress]) -> CourseProgress:
    """Completion and readiness from one learner's progress rows by lesson id."""
    completed = sum(1 for lesson_id in course.lesson_ids if is_lesson_complete(rows.get(lesson_id)))
    return CourseProgress(rows, completed, len(course.lessons), readiness_from_progress(course, rows))


def summary_key(course: Course) -> str:
    """A short hash of every pack setting a stored summary depends on: a summary with another key is stale."""
    readiness = course.readiness
    settings = {
        "lessons": course.lesson_ids,
        "grading": readiness.grading.value,
        "weights": sorted(readiness.weights.items()),
        "bands": [(band.name, band.min_score, band.all_passed) for band in readiness.bands],
        "pass_mark": course.quiz.pass_mark,
    }
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]


def apply_summary(enrollment: Enrollment, course: Course, progress: CourseProgress, now: datetime) -> None:
    """Store the summary columns of one enrollment from its course progress, with the pack's summary key."""
    enrollment.lessons_completed = progress.completed
    enrollment.attempts_used = sum(row.attempts_count for row in progress.lessons.values())
    enrollment.readiness_score = progress.readiness.score
    enrollment.readiness_band = progress.readiness.band
    if progress.completed == progress.total:
        enrollment.completed_at = enrollment.completed_at or now
    else:
        enrollment.completed_at = None  # a lesson was added since: complete again when it is done
    enrollment.summary_key = summary_key(course)


def refresh_summary(enrollment: Enrollment, course: Course, now: datetime) -> None:
    """Recompute the enrollment's completion and readiness columns from its progress rows.

    Call it under lock_enrollment: it reloads the rows, so rows read before the lock cannot count.
    """
    apply_summary(enrollment, course, course_progress(enrollment, course, reload=True), now)
    db.session.flush()
