"""Joining a course: self-enrollment (with a cohort's code and dates) and staff roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..domain.course import Course
from ..domain.readiness import readiness_for
from ..extensions import db
from ..models import ROLES, STAFF_ROLES, Cohort, Enrollment, utcnow
from .cohorts import cohort_for_code, ensure_default_cohort
from .progress import enrollment_for, insert_for_dialect, insert_progress_rows, summary_key


class EnrollmentRefused(PermissionError):
    """Raised when self-enrollment is refused; `reason` is "wrong-code", "not-open-yet" or "closed"."""

    def __init__(self, reason: str, cohort: Cohort | None = None):
        super().__init__(reason)
        self.reason = reason
        self.cohort = cohort


def _cohort_to_join(course: Course, code: str, default_code: str | None, now: datetime) -> Cohort:
    """The cohort a code leads to: a cohort with that code, else the default one (if its code matches)."""
    cohort = cohort_for_code(course.id, code) if code else None
    if cohort is None:
        cohort = ensure_default_cohort(course.id, default_code, now)
        if cohort.enrollment_code and code != cohort.enrollment_code:
            raise EnrollmentRefused("wrong-code")
    if cohort.opens_at is not None and now < cohort.opens_at:
        raise EnrollmentRefused("not-open-yet", cohort)
    if cohort.closes_at is not None and now >= cohort.closes_at:
        raise EnrollmentRefused("closed", cohort)
    return cohort


def _insert_enrollment(user_id: int, course: Course, cohort: Cohort, role: str, now: datetime) -> Enrollment:
    readiness = readiness_for(course.readiness, course.lesson_ids, {})
    # A concurrent enroll of the same user (a double click) may insert first: then use its row.
    db.session.execute(
        insert_for_dialect(Enrollment)
        .values(
            user_id=user_id,
            course_id=course.id,
            cohort_id=cohort.id,
            role=role,
            enrolled_at=now,
            last_activity_at=now,
            readiness_band=readiness.band,
            readiness_score=readiness.score,
            summary_key=summary_key(course),
        )
        .on_conflict_do_nothing(index_elements=["user_id", "course_id"])
    )
    enrollment = enrollment_for(user_id, course.id)
    if enrollment.role == "learner":
        insert_progress_rows(enrollment.id, course.lesson_ids)
    return enrollment


def enroll(
    user_id: int, course: Course, code: str | None = None, default_code: str | None = None, now: datetime | None = None
) -> Enrollment:
    """Enroll the user as a learner (idempotent) in the cohort their code names, else the default cohort.

    default_code is the code a default cohort gets when it is created here (the ENROLLMENT_CODE
    setting). Raises EnrollmentRefused for a wrong code or a cohort outside its dates.
    """
    existing = enrollment_for(user_id, course.id)
    if existing is not None:
        return existing
    now = now or utcnow()
    cohort = _cohort_to_join(course, (code or "").strip(), default_code, now)
    return _insert_enrollment(user_id, course, cohort, "learner", now)


def enroll_in_cohort(user_id: int, course: Course, cohort: Cohort, role: str = "learner") -> Enrollment:
    """Enroll the user in a given cohort with a role (no code or dates: for the CLI and platforms)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if cohort.course_id != course.id:
        raise ValueError("the cohort is not of this course")
    existing = enrollment_for(user_id, course.id)
    if existing is not None:
        return existing
    return _insert_enrollment(user_id, course, cohort, role, utcnow())


def set_role(user_id: int, course: Course, role: str, default_code: str | None = None) -> Enrollment:
    """Give the user this role in the course, enrolling them in the default cohort if they are not yet."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    enrollment = enrollment_for(user_id, course.id)
    if enrollment is None:
        now = utcnow()
        return _insert_enrollment(user_id, course, ensure_default_cohort(course.id, default_code, now), role, now)
    enrollment.role = role
    db.session.flush()
    return enrollment


def staff_course_ids(user_id: int) -> list[str]:
    """Ids of the courses where the user is an instructor or assistant, oldest role first."""
    return list(
        db.session.execute(
            select(Enrollment.course_id)
            .where(Enrollment.user_id == user_id, Enrollment.role.in_(STAFF_ROLES))
            .order_by(Enrollment.id)
        ).scalars()
    )
