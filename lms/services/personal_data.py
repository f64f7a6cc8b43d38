"""Everything the app holds about one person, for them to download (seven queries)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Attempt, AttemptAnswer, Enrollment, LessonProgress, OverrideEvent, User


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def personal_data(user: User) -> dict:
    """Return the account, enrollments, lesson progress, attempts, answers and instructors' overrides as plain data."""
    enrollments = (
        db.session.execute(
            select(Enrollment).where(Enrollment.user_id == user.id).options(selectinload(Enrollment.cohort))
        )
        .scalars()
        .all()
    )
    progress = db.session.execute(
        select(LessonProgress).join(Enrollment).where(Enrollment.user_id == user.id)
    ).scalars()
    attempts = db.session.execute(
        select(Attempt).join(Enrollment).where(Enrollment.user_id == user.id).order_by(Attempt.id)
    ).scalars()
    answers = db.session.execute(
        select(AttemptAnswer)
        .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
        .join(Enrollment, Enrollment.id == Attempt.enrollment_id)
        .where(Enrollment.user_id == user.id)
        .order_by(AttemptAnswer.attempt_id, AttemptAnswer.position)
    ).scalars()

    overrides = db.session.execute(
        select(OverrideEvent)
        .join(Enrollment, Enrollment.id == OverrideEvent.enrollment_id)
        .where(Enrollment.user_id == user.id)
        .order_by(OverrideEvent.created_at, OverrideEvent.id)
    ).scalars()
    overrides_by_enrollment = defaultdict(list)
    for event in overrides:
        overrides_by_enrollment[event.enrollment_id].append(
            {
                "quiz": event.lesson_id,
                "action": event.action,
                "amount": event.amount,
                "reason": event.reason,
                "by": event.actor_name,
                "at": _time(event.created_at),
            }
        )
    answers_by_attempt = defaultdict(list)
    for answer in answers:
        answers_by_attempt[answer.attempt_id].append(
            {"question": answer.question_id, "response": answer.response, "credit": answer.credit,
             "correct": answer.correct}
        )  # fmt: skip
    attempts_by_enrollment = defaultdict(list)
    for attempt in attempts:
        attempts_by_enrollment[attempt.enrollment_id].append(
            {
                "lesson": attempt.lesson_id,
                "number": attempt.number,
                "started_at": _time(attempt.started_at),
                "submitted_at": _time(attempt.submitted_at),
                "score": attempt.score,
                "passed": attempt.passed,
                "questions": [item["q"] for item in attempt.layout],
                "answers": answers_by_attempt.get(attempt.id, []),
            }
        )
    progress_by_enrollment = defaultdict(list)
    for row in progress:
        progress_by_enrollment[row.enrollment_id].append(
            {
                "lesson": row.lesson_id,
                "first_viewed_at": _time(row.first_viewed_at),
                "read_at": _time(row.read_at),
                "attempts": row.attempts_count,
                "best_score": row.best_score,
                "passed_at": _time(row.passed_at),
            }
        )
    return {
        "account": {
            "name": user.name,
            "email": user.email,
            "created_at": _time(user.created_at),
            "email_verified_at": _time(user.email_verified_at),
            "admin": user.is_admin,
            "password": user.has_password,
            "identities": [{"issuer": i.issuer, "subject": i.subject} for i in user.identities],
        },
        "enrollments": [
            {
                "course": enrollment.course_id,
                "role": enrollment.role,
                "cohort": enrollment.cohort.name,
                "enrolled_at": _time(enrollment.enrolled_at),
                "last_activity_at": _time(enrollment.last_activity_at),
                "completed_at": _time(enrollment.completed_at),
                "readiness_score": enrollment.readiness_score,
                "readiness_band": enrollment.readiness_band,
                "lessons": progress_by_enrollment.get(enrollment.id, []),
                "attempts": attempts_by_enrollment.get(enrollment.id, []),
                "overrides": overrides_by_enrollment.get(enrollment.id, []),
            }
            for enrollment in enrollments
        ],
    }
