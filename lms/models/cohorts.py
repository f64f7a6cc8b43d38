"""Cohorts: the groups of a course (a class, a term, later an LTI context), and staff limited to some."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow

DEFAULT_COHORT_SLUG = "default"


class Cohort(db.Model):
    """A group of a course's enrollments, with its own enrollment code and dates."""

    __tablename__ = "cohorts"
    __table_args__ = (
        UniqueConstraint("course_id", "slug"),
        # NULL codes never clash: a cohort without a code is joined only as the course's default.
        UniqueConstraint("course_id", "enrollment_code"),
        # The target of enrollments' (cohort_id, course_id): an enrollment's cohort is of its course.
        UniqueConstraint("id", "course_id"),
        CheckConstraint("opens_at IS NULL OR closes_at IS NULL OR opens_at < closes_at", name="opens_before_closes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(String(64))
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    enrollment_code: Mapped[str | None] = mapped_column(String(64))
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_default(self) -> bool:
        return self.slug == DEFAULT_COHORT_SLUG

    def is_open(self, now: datetime) -> bool:
        """True if the cohort takes new enrollments at this moment."""
        return (self.opens_at is None or self.opens_at <= now) and (self.closes_at is None or now < self.closes_at)

    def __repr__(self) -> str:
        return f"<Cohort {self.id} {self.course_id}/{self.slug}>"


class StaffCohort(db.Model):
    """Limits an instructor's or assistant's enrollment to some cohorts; none means every cohort."""

    __tablename__ = "staff_cohorts"

    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"), primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True, index=True)

    def __repr__(self) -> str:
        return f"<StaffCohort enrollment={self.enrollment_id} cohort={self.cohort_id}>"
