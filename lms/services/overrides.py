"""Instructor overrides, audited: extra attempts and resets per learner and quiz, limits per cohort or course."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..domain.course import Course
from ..extensions import db
from ..models import Attempt, AttemptLimit, Cohort, Enrollment, LearnerQuizOverride, OverrideEvent, User, utcnow
from .progress import lock_enrollment, progress_row_for_writing, refresh_summary

MAX_GRANT = 10
MAX_LIMIT = 100
MAX_REASON = 500


class OverrideProblem(ValueError):
    """Raised for an override that cannot be made (bad number, no reason, nothing to reset); nothing is written."""


@dataclass(frozen=True)
class Actor:
    """Who acts: kept by id and by name in the audit trail."""

    user_id: int
    name: str

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.name)


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise OverrideProblem("Give a reason: it is kept in the learner's record.")
    if len(reason) > MAX_REASON:
        raise OverrideProblem(f"Keep the reason under {MAX_REASON} characters.")
    return reason


def _check_quiz(course: Course, lesson_id: str) -> None:
    if course.lesson(lesson_id) is None:
        raise OverrideProblem("There is no such quiz in this course.")


def _override_row(enrollment: Enrollment, lesson_id: str, create: bool = True) -> LearnerQuizOverride | None:
    row = db.session.execute(
        select(LearnerQuizOverride).where(
            LearnerQuizOverride.enrollment_id == enrollment.id, LearnerQuizOverride.lesson_id == lesson_id
        )
    ).scalar_one_or_none()
    if row is None and create:
        row = LearnerQuizOverride(enrollment_id=enrollment.id, lesson_id=lesson_id, extra_attempts=0, counted_after=0)
        db.session.add(row)
    return row


def _record(course: Course, lesson_id: str, action: str, actor: Actor, reason: str, now: datetime, **subject):
    event = OverrideEvent(
        course_id=course.id,
        lesson_id=lesson_id,
        action=action,
        reason=reason,
        actor_id=actor.user_id,
        actor_name=actor.name,
        created_at=now,
        **subject,
    )
    db.session.add(event)
    return event


def grant_attempts(
    enrollment: Enrollment,
    course: Course,
    lesson_id: str,
    count: int | None,
    reason: str | None,
    actor: Actor,
    now: datetime | None = None,
) -> OverrideEvent:
    """Give a learner extra attempts at a quiz, on top of the limit; raise OverrideProblem on bad input."""
    _check_quiz(course, lesson_id)
    if count is None or not 1 <= count <= MAX_GRANT:
        raise OverrideProblem(f"Grant between 1 and {MAX_GRANT} attempts.")
    reason = _reason(reason)
    now = now or utcnow()
    lock_enrollment(enrollment)
    row = _override_row(enrollment, lesson_id)
    row.extra_attempts += count
    event = _record(course, lesson_id, "grant", actor, reason, now, enrollment_id=enrollment.id, amount=count)
    db.session.flush()
    return event


def reset_quiz(
    enrollment: Enrollment,
    course: Course,
    lesson_id: str,
    reason: str | None,
    actor: Actor,
    now: datetime | None = None,
) -> OverrideEvent:
    """Set a learner's submitted attempts at a quiz aside: they stay in the history but no longer count.

    The quiz's score and pass go with them, and the learner's summary is recomputed. An attempt in
    progress is kept and counts as the first of the fresh start. Raises OverrideProblem if nothing
    is submitted yet.
    """
    _check_quiz(course, lesson_id)
    reason = _reason(reason)
    now = now or utcnow()
    lock_enrollment(enrollment)
    row = _override_row(enrollment, lesson_id, create=False)
    last = db.session.execute(
        select(func.max(Attempt.number)).where(
            Attempt.enrollment_id == enrollment.id, Attempt.lesson_id == lesson_id, Attempt.submitted_at.is_not(None)
        )
    ).scalar_one()
    if last is None or (row is not None and last <= row.counted_after):
        raise OverrideProblem("There are no counted attempts at this quiz to reset.")
    row = row or _override_row(enrollment, lesson_id)
    row.counted_after = last
    progress = progress_row_for_writing(enrollment, lesson_id)
    # Every submitted attempt is now set aside: the quiz is as if never taken (the reading stays).
    progress.attempts_count = 0
    progress.first_score = progress.latest_score = progress.best_score = None
    progress.score_total = 0.0
    progress.passed_at = None
    event = _record(course, lesson_id, "reset", actor, reason, now, enrollment_id=enrollment.id, amount=last)
    db.session.flush()
    refresh_summary(enrollment, course, now)
    return event


def attempt_limits(course: Course) -> list[AttemptLimit]:
    """Return the course's attempt limit overrides, by quiz then cohort (course-wide first)."""
    query = (
        select(AttemptLimit)
        .where(AttemptLimit.course_id == course.id)
        .order_by(AttemptLimit.lesson_id, AttemptLimit.cohort_id.is_not(None), AttemptLimit.cohort_id)
    )
    return list(db.session.execute(query).scalars())


def set_attempt_limit(
    course: Course,
    lesson_id: str,
    cohort: Cohort | None,
    max_attempts: int | None,
    reason: str | None,
    actor: Actor,
    now: datetime | None = None,
) -> OverrideEvent:
    """Set a quiz's attempt limit for a cohort or (cohort None) the whole course; None goes back to the pack's.

    0 means no limit. Raises OverrideProblem on bad input or when there is no override to remove.
    """
    _check_quiz(course, lesson_id)
    if cohort is not None and cohort.course_id != course.id:
        raise OverrideProblem("There is no such cohort in this course.")
    if max_attempts is not None and not 0 <= max_attempts <= MAX_LIMIT:
        raise OverrideProblem(f"Choose a limit between 0 (no limit) and {MAX_LIMIT}.")
    reason = _reason(reason)
    now = now or utcnow()
    cohort_id = cohort.id if cohort is not None else None
    query = select(AttemptLimit).where(AttemptLimit.course_id == course.id, AttemptLimit.lesson_id == lesson_id)
    query = query.where(AttemptLimit.cohort_id.is_(None) if cohort_id is None else AttemptLimit.cohort_id == cohort_id)
    row = db.session.execute(query).scalar_one_or_none()
    if max_attempts is None:
        if row is None:
            raise OverrideProblem("This quiz has no limit of its own here to remove.")
        db.session.delete(row)
        event = _record(course, lesson_id, "clear-limit", actor, reason, now, cohort_id=cohort_id)
    else:
        if row is None:
            row = AttemptLimit(course_id=course.id, lesson_id=lesson_id, cohort_id=cohort_id)
            db.session.add(row)
        row.max_attempts = max_attempts
        event = _record(course, lesson_id, "limit", actor, reason, now, cohort_id=cohort_id, amount=max_attempts)
    db.session.flush()
    return event


def learner_events(enrollment_id: int) -> list[OverrideEvent]:
    """Return the overrides recorded for one learner, newest first."""
    query = (
        select(OverrideEvent)
        .where(OverrideEvent.enrollment_id == enrollment_id)
        .order_by(OverrideEvent.created_at.desc(), OverrideEvent.id.desc())
    )
    return list(db.session.execute(query).scalars())


def course_limit_events(course: Course, limit: int = 50) -> list[OverrideEvent]:
    """Return the latest attempt limit changes of the course, newest first."""
    query = (
        select(OverrideEvent)
        .where(OverrideEvent.course_id == course.id, OverrideEvent.enrollment_id.is_(None))
        .order_by(OverrideEvent.created_at.desc(), OverrideEvent.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(query).scalars())
