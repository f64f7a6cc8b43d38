"""Learning records: enrollments (with a role and a cohort), lesson progress, quiz attempts and answers."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.values import value
from ..extensions import db
from .base import UTCDateTime, utcnow
from .cohorts import Cohort

if TYPE_CHECKING:
    from .accounts import User

ROLES = ("learner", "instructor", "assistant")
# Staff see the instructor pages; only instructors change anything there.
STAFF_ROLES = ("instructor", "assistant")


class Enrollment(db.Model):
    """A person in a course with a role and a cohort, with a summary of their progress kept current on every write."""

    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        # The target of attempts' (enrollment_id, course_id): an attempt is of its enrollment's course.
        UniqueConstraint("id", "course_id"),
        ForeignKeyConstraint(["cohort_id", "course_id"], ["cohorts.id", "cohorts.course_id"]),
        CheckConstraint("role IN ('learner', 'instructor', 'assistant')", name="role_known"),
        CheckConstraint("lessons_completed >= 0", name="lessons_completed_not_negative"),
        CheckConstraint("readiness_score BETWEEN 0 AND 100", name="readiness_score_range"),
        CheckConstraint("attempts_used >= 0", name="attempts_used_not_negative"),
        # The roster sorts and filters a course's enrollments by these.
        Index("ix_enrollments_course_readiness", "course_id", "readiness_score"),
        Index("ix_enrollments_course_activity", "course_id", "last_activity_at"),
        Index("ix_enrollments_course_band", "course_id", "readiness_band"),
        Index("ix_enrollments_cohort", "cohort_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(String(64))
    cohort_id: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(20), default="learner", server_default="learner")
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first lesson view or quiz start
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lessons_completed: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    attempts_used: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Denormalized from readiness_for() on every submit, so that rosters sort and filter in SQL.
    readiness_score: Mapped[float] = mapped_column(Float, default=0.0, server_default=text("0"))
    readiness_band: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # Which pack settings the summary above was computed with (services.summaries): stale when it differs.
    summary_key: Mapped[str | None] = mapped_column(String(16))
    # False once the course platform's roster (LTI NRPS) no longer lists the member: kept, never deleted.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))

    user: Mapped[User] = relationship(back_populates="enrollments")
    cohort: Mapped[Cohort] = relationship(viewonly=True)
    progress: Mapped[list[LessonProgress]] = relationship(
        back_populates="enrollment", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Enrollment {self.id} user={self.user_id} course={self.course_id} {self.role}>"


class ProgressFacts:
    """What a progress row says, the same for the stored row and for its read-only record."""

    __slots__ = ()
    read_at: datetime | None
    passed_at: datetime | None

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def is_passed(self) -> bool:
        return self.passed_at is not None


class LessonProgress(ProgressFacts, db.Model):
    """One learner's reading and quiz record for one lesson."""

    __tablename__ = "lesson_progress"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "lesson_id"),
        CheckConstraint("attempts_count >= 0", name="attempts_count_not_negative"),
        CheckConstraint(
            "(attempts_count = 0 AND best_score IS NULL AND latest_score IS NULL AND first_score IS NULL)"
            " OR (attempts_count > 0 AND best_score IS NOT NULL AND latest_score IS NOT NULL"
            " AND first_score IS NOT NULL)",
            name="scores_set_when_attempted",
        ),
        CheckConstraint("read_at IS NULL OR first_viewed_at IS NOT NULL", name="read_after_viewed"),
        # The roster's "out of attempts": quizzes not passed, by attempts (services.roster.out_of_attempts).
        Index(
            "ix_lesson_progress_unpassed_attempts",
            "attempts_count",
            sqlite_where=text("passed_at IS NULL"),
            postgresql_where=text("passed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    lesson_id: Mapped[str] = mapped_column(String(64))
    first_viewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    first_score: Mapped[float | None] = mapped_column(Float)
    latest_score: Mapped[float | None] = mapped_column(Float)
    best_score: Mapped[float | None] = mapped_column(Float)
    score_total: Mapped[float] = mapped_column(Float, default=0.0, server_default=text("0"))
    passed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enrollment: Mapped[Enrollment] = relationship(back_populates="progress")

    def __repr__(self) -> str:
        return f"<LessonProgress enrollment={self.enrollment_id} lesson={self.lesson_id}>"


@value
class ProgressRecord(ProgressFacts):
    """A progress row as pages read it with the session (web.session_records): the columns, no ORM object."""

    id: int
    enrollment_id: int
    lesson_id: str
    first_viewed_at: datetime | None
    read_at: datetime | None
    attempts_count: int
    first_score: float | None
    latest_score: float | None
    best_score: float | None
    score_total: float
    passed_at: datetime | None


class Attempt(db.Model):
    """One try at a section quiz; fixes which questions were shown and in what order."""

    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "lesson_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("question_count >= 1", name="question_count_positive"),
        CheckConstraint(
            "(submitted_at IS NULL AND score IS NULL AND points IS NULL AND passed IS NULL)"
            " OR (submitted_at IS NOT NULL AND score IS NOT NULL AND points IS NOT NULL AND passed IS NOT NULL)",
            name="graded_exactly_when_submitted",
        ),
        CheckConstraint("score BETWEEN 0 AND 100", name="score_range"),
        # At most one attempt in progress per learner and quiz.
        Index(
            "uq_attempts_one_open_per_quiz",
            "enrollment_id",
            "lesson_id",
            unique=True,
            sqlite_where=text("submitted_at IS NULL"),
            postgresql_where=text("submitted_at IS NULL"),
        ),
        Index("ix_attempts_course_lesson_submitted", "course_id", "lesson_id", "submitted_at"),
        ForeignKeyConstraint(
            ["enrollment_id", "course_id"], ["enrollments.id", "enrollments.course_id"], ondelete="CASCADE"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(Integer)
    course_id: Mapped[str] = mapped_column(String(64))
    lesson_id: Mapped[str] = mapped_column(String(64))
    number: Mapped[int] = mapped_column(Integer)
    question_count: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[float | None] = mapped_column(Float)  # percent, rounded to 2 places
    points: Mapped[float | None] = mapped_column(Float)  # exact sum of credits: statistics use it
    passed: Mapped[bool | None] = mapped_column(Boolean)
    # The questions as shown: [{"q": question id, "o": option ids in order, "t": term ids}].
    layout: Mapped[list] = mapped_column(JSON)

    enrollment: Mapped[Enrollment] = relationship()
    answers: Mapped[list[AttemptAnswer]] = relationship(
        back_populates="attempt",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="AttemptAnswer.position",
    )

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def __repr__(self) -> str:
        return f"<Attempt {self.id} enrollment={self.enrollment_id} lesson={self.lesson_id} #{self.number}>"


class AttemptAnswer(db.Model):
    """A learner's answer to one question of a submitted attempt, with the credit it earned."""

    __tablename__ = "attempt_answers"
    __table_args__ = (
        UniqueConstraint("attempt_id", "position"),
        UniqueConstraint("attempt_id", "question_id"),
        CheckConstraint("credit BETWEEN 0 AND 1", name="credit_range"),
        Index("ix_attempt_answers_question", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[str] = mapped_column(String(64))
    # JSON form of the answer: option id, list of ids, bool, or {term id: match id}; null if blank.
    response: Mapped[Any] = mapped_column(JSON, nullable=True)
    credit: Mapped[float] = mapped_column(Float)
    correct: Mapped[bool] = mapped_column(Boolean)

    attempt: Mapped[Attempt] = relationship(back_populates="answers")

    def __repr__(self) -> str:
        return f"<AttemptAnswer attempt={self.attempt_id} question={self.question_id}>"
