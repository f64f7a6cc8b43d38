"""What outlives a deleted account: the quiz attempts it used, under a keyed hash of its email only."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class RetainedAttempts(db.Model):
    """Attempts a deleted account used at one quiz, counted again when its email registers anew."""

    __tablename__ = "retained_attempts"
    __table_args__ = (CheckConstraint("attempts > 0", name="attempts_positive"),)

    # HMAC-SHA256 of the normalized email under a key derived from SECRET_KEY: no email is kept.
    email_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    course_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    lesson_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"<RetainedAttempts {self.course_id}/{self.lesson_id} {self.attempts}>"
