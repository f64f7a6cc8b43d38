"""Drafts: the answers of an open attempt as the learner gives them, saved but never graded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow


class AttemptDraft(db.Model):
    """One question's answer so far in an open attempt: the posted form values, possibly incomplete."""

    __tablename__ = "attempt_drafts"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(64))
    # {field suffix: [values]}: "" for the question's own field, "-<part id>" for a part of it.
    values: Mapped[dict] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<AttemptDraft attempt={self.attempt_id} question={self.question_id}>"
