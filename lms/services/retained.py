"""What a deleted account keeps: the quiz attempts it used, under a keyed hash of its email only."""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import func, select

from ..extensions import db
from ..models import Attempt, Enrollment, RetainedAttempts, User


def email_key(secret: str, email: str) -> str:
    """Return the keyed hash (HMAC-SHA256) that stands for a normalized email; the email cannot be read back."""
    key = hmac.new(secret.encode(), b"lms retained attempts", hashlib.sha256).digest()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def retain_attempts(user: User, key: str) -> None:
    """Add the account's attempts per course and quiz to what its email key already keeps (before deletion)."""
    used = db.session.execute(
        select(Attempt.course_id, Attempt.lesson_id, func.count())
        .join(Enrollment, Enrollment.id == Attempt.enrollment_id)
        .where(Enrollment.user_id == user.id)
        .group_by(Attempt.course_id, Attempt.lesson_id)
    ).all()
    for course_id, lesson_id, count in used:
        row = db.session.get(RetainedAttempts, (key, course_id, lesson_id))
        if row is None:
            db.session.add(RetainedAttempts(email_key=key, course_id=course_id, lesson_id=lesson_id, attempts=count))
        else:
            row.attempts += count
    db.session.flush()


def retained_attempts(key: str, course_id: str, lesson_id: str) -> int:
    """Return how many attempts at this quiz earlier, deleted accounts with this email key used."""
    row = db.session.get(RetainedAttempts, (key, course_id, lesson_id))
    return row.attempts if row is not None else 0
