"""Cohorts of a course: the default one, lookup by code, create and edit, and staff limited to some."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import DEFAULT_COHORT_SLUG, Cohort, Enrollment, StaffCohort
from .progress import insert_for_dialect

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
DEFAULT_COHORT_NAME = "Default cohort"


class CohortProblem(ValueError):
    """Raised when cohort details are not valid; `field` names the form field at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class CohortDetails:
    """What an instructor sets on a cohort."""

    name: str
    slug: str
    enrollment_code: str | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None


def cohorts_of(course_id: str) -> list[Cohort]:
    """Return the course's cohorts, the default one first, then by name."""
    query = select(Cohort).where(Cohort.course_id == course_id)
    rows = db.session.execute(query).scalars().all()
    return sorted(rows, key=lambda cohort: (not cohort.is_default, cohort.name.lower(), cohort.id))


def cohort_by_slug(course_id: str, slug: str) -> Cohort | None:
    """Return the course's cohort with this slug, or None."""
    query = select(Cohort).where(Cohort.course_id == course_id, Cohort.slug == slug)
    return db.session.execute(query).scalar_one_or_none()


def default_cohort(course_id: str) -> Cohort | None:
    """Return the course's default cohort if it exists yet (a read: it creates nothing)."""
    return cohort_by_slug(course_id, DEFAULT_COHORT_SLUG)


def ensure_default_cohort(course_id: str, code: str | None, now: datetime) -> Cohort:
    """Return the course's default cohort, creating it (with this enrollment code) when first needed."""
    existing = default_cohort(course_id)
    if existing is not None:
        return existing
    # Two first enrollments at once: one insert wins, both then read the same row.
    db.session.execute(
        insert_for_dialect(Cohort)
        .values(
            course_id=course_id,
            slug=DEFAULT_COHORT_SLUG,
            name=DEFAULT_COHORT_NAME,
            enrollment_code=code or None,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["course_id", "slug"])
    )
    return default_cohort(course_id)


def cohort_for_code(course_id: str, code: str) -> Cohort | None:
    """Return the course's cohort whose enrollment code this is, or None."""
    query = select(Cohort).where(Cohort.course_id == course_id, Cohort.enrollment_code == code)
    return db.session.execute(query).scalar_one_or_none()


def _checked(course_id: str, details: CohortDetails, cohort: Cohort | None) -> CohortDetails:
    name = details.name.strip()
    slug = details.slug.strip().lower()
    code = (details.enrollment_code or "").strip() or None
    if not name:
        raise CohortProblem("name", "Give the cohort a name.")
    if not SLUG.match(slug):
        raise CohortProblem("slug", "Use lowercase letters, digits and '-' (it is part of addresses).")
    if cohort is not None and cohort.is_default and slug != DEFAULT_COHORT_SLUG:
        raise CohortProblem("slug", "The default cohort keeps the slug 'default'.")
    if details.opens_at and details.closes_at and details.opens_at >= details.closes_at:
        raise CohortProblem("closes_at", "The cohort must close after it opens.")
    other = cohort_by_slug(course_id, slug)
    if other is not None and other is not cohort:
        raise CohortProblem("slug", "Another cohort of this course has that slug.")
    if code is not None:
        other = cohort_for_code(course_id, code)
        if other is not None and other is not cohort:
            raise CohortProblem("enrollment_code", "Another cohort of this course has that code.")
    return CohortDetails(name, slug, code, details.opens_at, details.closes_at)


def create_cohort(course_id: str, details: CohortDetails) -> Cohort:
    """Create a cohort; raise CohortProblem (writing nothing) if its details are not valid or taken."""
    checked = _checked(course_id, details, None)
    cohort = Cohort(
        course_id=course_id,
        name=checked.name,
        slug=checked.slug,
        enrollment_code=checked.enrollment_code,
        opens_at=checked.opens_at,
        closes_at=checked.closes_at,
    )
    try:
        with db.session.begin_nested():
            db.session.add(cohort)
    except IntegrityError as error:  # a concurrent create took the slug or code meanwhile
        raise CohortProblem("slug", "Another cohort of this course has that slug or code.") from error
    return cohort


def update_cohort(cohort: Cohort, details: CohortDetails) -> None:
    """Change a cohort's details; raise CohortProblem (changing nothing) if they are not valid or taken."""
    checked = _checked(cohort.course_id, details, cohort)
    try:
        with db.session.begin_nested():
            cohort.name, cohort.slug, cohort.enrollment_code = checked.name, checked.slug, checked.enrollment_code
            cohort.opens_at, cohort.closes_at = checked.opens_at, checked.closes_at
    except IntegrityError as error:
        raise CohortProblem("slug", "Another cohort of this course has that slug or code.") from error


def learner_counts(course_id: str) -> dict[int, int]:
    """How many learners each cohort of the course has, by cohort id."""
    query = (
        select(Enrollment.cohort_id, func.count())
        .where(Enrollment.course_id == course_id, Enrollment.role == "learner")
        .group_by(Enrollment.cohort_id)
    )
    return dict(db.session.execute(query).all())


def staff_cohort_ids(enrollment_id: int) -> frozenset[int] | None:
    """Return the cohorts a staff enrollment is limited to, or None when it sees every cohort."""
    query = select(StaffCohort.cohort_id).where(StaffCohort.enrollment_id == enrollment_id)
    ids = frozenset(db.session.execute(query).scalars())
    return ids or None


def limit_staff(enrollment: Enrollment, cohorts: Collection[Cohort]) -> None:
    """Limit a staff enrollment to these cohorts of its course (none: every cohort)."""
    if any(cohort.course_id != enrollment.course_id for cohort in cohorts):
        raise CohortProblem("cohorts", "Those cohorts are not all of this course.")
    db.session.execute(StaffCohort.__table__.delete().where(StaffCohort.enrollment_id == enrollment.id))
    db.session.add_all(StaffCohort(enrollment_id=enrollment.id, cohort_id=cohort.id) for cohort in cohorts)
    db.session.flush()
