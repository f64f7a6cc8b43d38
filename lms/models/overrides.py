"""Instructor overrides of the attempt limit: per learner and quiz, per cohort or course, and their audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow

OVERRIDE_ACTIONS = ("grant", "reset", "limit", "clear-limit")


class LearnerQuizOverride(db.Model):
    """One learner's quiz as instructors changed it: extra attempts, and the attempts a reset set aside."""

    __tablename__ = "learner_quiz_overrides"
    __table_args__ = (
        db.UniqueConstraint("enrollment_id", "lesson_id"),
        CheckConstraint("extra_attempts >= 0", name="extra_attempts_not_negative"),
        CheckConstraint("counted_after >= 0", name="counted_after_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    lesson_id: Mapped[str] = mapped_column(String(64))
    extra_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # A reset sets aside attempts numbered up to this one: they stay in the history but no longer count.
    counted_after: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))

    def __repr__(self) -> str:
        return f"<LearnerQuizOverride enrollment={self.enrollment_id} lesson={self.lesson_id}>"


class AttemptLimit(db.Model):
    """A quiz's attempt limit for one cohort, or (no cohort) for the whole course, in place of the pack's."""

    __tablename__ = "attempt_limits"
    __table_args__ = (
        CheckConstraint("max_attempts >= 0", name="max_attempts_not_negative"),
        # NULL cohorts never clash in a unique constraint: one partial index per case.
        Index(
            "uq_attempt_limits_cohort",
            "course_id",
            "lesson_id",
            "cohort_id",
            unique=True,
            sqlite_where=text("cohort_id IS NOT NULL"),
            postgresql_where=text("cohort_id IS NOT NULL"),
        ),
        Index(
            "uq_attempt_limits_course",
            "course_id",
            "lesson_id",
            unique=True,
            sqlite_where=text("cohort_id IS NULL"),
            postgresql_where=text("cohort_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(String(64))
    lesson_id: Mapped[str] = mapped_column(String(64))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    max_attempts: Mapped[int] = mapped_column(Integer)  # 0 means no limit, as in course.yaml

    def __repr__(self) -> str:
        return f"<AttemptLimit {self.course_id}/{self.lesson_id} cohort={self.cohort_id} {self.max_attempts}>"


class OverrideEvent(db.Model):
    """The audit trail: who changed which attempts, when, how and why (never edited, never deleted by the app)."""

    __tablename__ = "override_events"
    __table_args__ = (
        CheckConstraint("action IN ('grant', 'reset', 'limit', 'clear-limit')", name="action_known"),
        CheckConstraint("length(reason) > 0", name="reason_given"),
        # Learner actions name the learner; limit actions name a cohort or none (the course).
        CheckConstraint(
            "(action IN ('grant', 'reset') AND enrollment_id IS NOT NULL)"
            " OR (action IN ('limit', 'clear-limit') AND enrollment_id IS NULL)",
            name="subject_fits_action",
        ),
        Index("ix_override_events_enrollment", "enrollment_id"),
        Index("ix_override_events_course", "course_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(String(64))
    lesson_id: Mapped[str] = mapped_column(String(64))
    enrollment_id: Mapped[int | None] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int | None] = mapped_column(Integer)  # attempts granted, or the new limit
    reason: Mapped[str] = mapped_column(Text)
    # The name is kept as it was, so the trail still reads right if the account goes.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<OverrideEvent {self.id} {self.action} {self.course_id}/{self.lesson_id}>"
