"""The instructor's roster: one row per enrolled learner, sorted, filtered and counted in SQL.

Completion, readiness and attempts used are kept on the enrollment by every write (computed
by readiness_for), so a page costs the same few queries for ten learners or fifty thousand.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from ..domain.course import Course, GradingMethod
from ..extensions import db
from ..models import AttemptLimit, Enrollment, LearnerQuizOverride, LessonProgress, User
from .progress import section_attempts

STATUSES = {"not-started": "Not started", "in-progress": "In progress", "complete": "Complete"}
# What the roster's status filter offers: the statuses, and learners stuck at some quiz.
STATUS_FILTERS = {**STATUSES, "out-of-attempts": "Out of attempts"}
# Members a platform's roster sync no longer lists keep their enrollment with active = false.
MEMBERSHIPS = {"active": "Active", "left": "Left the LMS course", "all": "All"}
DEFAULT_MEMBERSHIP = "active"
BASE_SORTS = ("name", "email", "completion", "readiness", "attempts", "activity", "enrolled")
PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 50
HISTOGRAM_BUCKETS = 10


def enrollment_status(started_at: datetime | None, completed_at: datetime | None) -> str:
    """A learner's status in STATUSES: complete, in progress (started) or not started."""
    if completed_at is not None:
        return "complete"
    return "in-progress" if started_at is not None else "not-started"


@dataclass(frozen=True)
class RosterFilters:
    # The cohorts to show (a ?cohort= choice, or the cohorts a staff member is limited to); None: all.
    cohort_ids: frozenset[int] | None = None
    search: str = ""
    band: str | None = None
    status: str | None = None
    score_band: int | None = None  # a histogram bar: readiness from 10 * band up to the next
    sort: str = "readiness"
    descending: bool = True
    membership: str = DEFAULT_MEMBERSHIP  # a key of MEMBERSHIPS


@dataclass(frozen=True)
class RosterRow:
    enrollment_id: int
    name: str
    email: str
    enrolled_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    last_activity_at: datetime
    lessons_completed: int
    attempts_used: int
    readiness: float
    band: str
    active: bool = True  # False: the learner left the platform's course (roster sync)
    sections: dict[str, float | None] = field(default_factory=dict)
    passed: dict[str, bool] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return enrollment_status(self.started_at, self.completed_at)


@dataclass(frozen=True)
class RosterPage:
    rows: list[RosterRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


@dataclass(frozen=True)
class RosterSummary:
    enrolled: int
    started: int
    complete: int
    ready: int
    out_of_attempts: int
    average_readiness: float | None
    histogram: list[int]  # learners per 10-point readiness bucket, 0-9 ... 90-100


def sort_keys(course: Course) -> tuple[str, ...]:
    """Every column the roster can sort by."""
    return BASE_SORTS + tuple(f"section:{lesson_id}" for lesson_id in course.lesson_ids)


def section_score_column(method: GradingMethod, progress=LessonProgress):
    """The SQL form of SectionAttempts.score(): a section's score under the course's grading method."""
    if method is GradingMethod.AVERAGE:
        return progress.score_total / func.nullif(progress.attempts_count, 0)
    return {
        GradingMethod.HIGHEST: progress.best_score,
        GradingMethod.LATEST: progress.latest_score,
        GradingMethod.FIRST: progress.first_score,
    }[method]


def where_learners(
    query: Select, course: Course, cohort_ids: frozenset[int] | None, membership: str = DEFAULT_MEMBERSHIP
) -> Select:
    """Restrict a query over enrollments to the course's learners (staff never count), in these cohorts.

    `membership` keeps the active learners, those who left the platform's course, or all of them.
    """
    query = query.where(Enrollment.course_id == course.id, Enrollment.role == "learner")
    if cohort_ids is not None:
        query = query.where(Enrollment.cohort_id.in_(sorted(cohort_ids)))
    if membership == "active":
        query = query.where(Enrollment.active.is_(True))
    elif membership == "left":
        query = query.where(Enrollment.active.is_(False))
    return query


def out_of_attempts(course: Course) -> ColumnElement[bool]:
    """SQL: the enrollment has a quiz not passed whose attempts that count reached the learner's limit.

    The limit is worked out as services.attempts.quiz_allowances does: the cohort's override, else
    the course's, else the pack's (0: no limit), plus the learner's extra attempts. An IN over one
    uncorrelated pass, not an EXISTS per enrollment: at 50,000 learners the roster's counts took
    0.3 s that way. The pass reads only unpassed progress rows that reach the lowest limit in force.
    """
    cohort_limit = aliased(AttemptLimit)
    course_limit = aliased(AttemptLimit)
    base = func.coalesce(cohort_limit.max_attempts, course_limit.max_attempts, literal(course.quiz.max_attempts))
    extra = func.coalesce(LearnerQuizOverride.extra_attempts, 0)
    lowest_override = (
        select(func.min(AttemptLimit.max_attempts))
        .where(AttemptLimit.course_id == course.id, AttemptLimit.max_attempts > 0)
        .scalar_subquery()
    )
    pack = course.quiz.max_attempts
    # No limit can be lower than this one (NULL when no limit is in force: nobody is stuck).
    lowest = case((lowest_override < pack, lowest_override), else_=pack) if pack > 0 else lowest_override
    stuck = (
        select(LessonProgress.enrollment_id)
        .join(Enrollment, Enrollment.id == LessonProgress.enrollment_id)
        .outerjoin(
            LearnerQuizOverride,
            (LearnerQuizOverride.enrollment_id == LessonProgress.enrollment_id)
            & (LearnerQuizOverride.lesson_id == LessonProgress.lesson_id),
        )
        .outerjoin(
            cohort_limit,
            (cohort_limit.course_id == course.id)
            & (cohort_limit.lesson_id == LessonProgress.lesson_id)
            & (cohort_limit.cohort_id == Enrollment.cohort_id),
        )
        .outerjoin(
            course_limit,
            (course_limit.course_id == course.id)
            & (course_limit.lesson_id == LessonProgress.lesson_id)
            & course_limit.cohort_id.is_(None),
        )
        .where(
            Enrollment.course_id == course.id,
            LessonProgress.lesson_id.in_(course.lesson_ids),
            LessonProgress.passed_at.is_(None),
            LessonProgress.attempts_count >= lowest,
            base > 0,
            LessonProgress.attempts_count >= base + extra,
        )
    )
    return Enrollment.id.in_(stuck)


def search_clause(search: str) -> ColumnElement[bool] | None:
    """SQL: every word of the search is in the name or the email, in any order ("whitfield dana" finds Dana)."""
    words = search.strip().lower().split()
    if not words:
        return None
    return and_(
        *(
            or_(func.lower(User.name).contains(word, autoescape=True), User.email.contains(word, autoescape=True))
            for word in words
        )
    )


def _narrowing(course: Course, filters: RosterFilters, search: ColumnElement[bool] | None) -> list[ColumnElement[bool]]:
    """The conditions the filters add to the summary's learners (search: their search_clause, built by the caller)."""
    conditions = []
    if search is not None:
        conditions.append(search)
    if filters.band:
        conditions.append(Enrollment.readiness_band == filters.band)
    if filters.status == "not-started":
        conditions.append(Enrollment.started_at.is_(None))
    elif filters.status == "in-progress":
        conditions += [Enrollment.started_at.is_not(None), Enrollment.completed_at.is_(None)]
    elif filters.status == "complete":
        conditions.append(Enrollment.completed_at.is_not(None))
    elif filters.status == "out-of-attempts":
        conditions.append(out_of_attempts(course))
    if filters.score_band is not None:
        low = 10 * filters.score_band
        conditions.append(Enrollment.readiness_score >= low)
        if filters.score_band < HISTOGRAM_BUCKETS - 1:
            conditions.append(Enrollment.readiness_score < low + 10)
    return conditions


def narrows_learners(course: Course, filters: RosterFilters) -> bool:
    """False if the filters select every learner the summary counts (same cohorts and membership)."""
    return bool(_narrowing(course, filters, search_clause(filters.search)))


def _filtered(course: Course, filters: RosterFilters, *columns, with_users: bool = False) -> Select:
    search = search_clause(filters.search)
    query = select(*(columns or (Enrollment, User.name, User.email))).select_from(Enrollment)
    # Counting needs users only to search them; a count over enrollments alone reads one index.
    if search is not None or with_users or not columns:
        query = query.join(User, User.id == Enrollment.user_id)
    query = where_learners(query, course, filters.cohort_ids, filters.membership)
    return query.where(*_narrowing(course, filters, search))


_SORT_COLUMNS = {
    "name": func.lower(User.name),
    "email": User.email,
    "completion": Enrollment.lessons_completed,
    "readiness": Enrollment.readiness_score,
    "attempts": Enrollment.attempts_used,
    "activity": Enrollment.last_activity_at,
    "enrolled": Enrollment.enrolled_at,
}


def roster_query(course: Course, filters: RosterFilters) -> Select:
    """Return the filtered, sorted roster as a query of (Enrollment, name, email)."""
    query = _filtered(course, filters)
    columns = _SORT_COLUMNS
    if filters.sort.startswith("section:") and filters.sort.removeprefix("section:") in course.lesson_ids:
        progress = aliased(LessonProgress)
        query = query.outerjoin(
            progress,
            (progress.enrollment_id == Enrollment.id) & (progress.lesson_id == filters.sort.removeprefix("section:")),
        )
        column = section_score_column(course.readiness.grading, progress)
        ordered = column.desc() if filters.descending else column.asc()
        ordered = ordered.nulls_last()  # learners without a score sort last either way
    else:
        column = columns.get(filters.sort, Enrollment.readiness_score)
        # Not-null columns: a plain ORDER BY lets the database walk an index.
        ordered = column.desc() if filters.descending else column.asc()
    # The id keeps pages stable among equal values.
    tie = Enrollment.id.desc() if filters.descending else Enrollment.id.asc()
    return query.order_by(ordered, tie)


def _rows(course: Course, results: Sequence) -> list[RosterRow]:
    """Turn (Enrollment, name, email) results into rows, loading their sections in one query."""
    ids = [enrollment.id for enrollment, _name, _email in results]
    sections: dict[int, dict[str, LessonProgress]] = {enrollment_id: {} for enrollment_id in ids}
    if ids:
        for progress in db.session.execute(
            select(LessonProgress).where(LessonProgress.enrollment_id.in_(ids))
        ).scalars():
            sections[progress.enrollment_id][progress.lesson_id] = progress
    method = course.readiness.grading
    rows = []
    for enrollment, name, email in results:
        mine = sections[enrollment.id]
        rows.append(
            RosterRow(
                enrollment_id=enrollment.id,
                name=name,
                email=email,
                enrolled_at=enrollment.enrolled_at,
                started_at=enrollment.started_at,
                completed_at=enrollment.completed_at,
                last_activity_at=enrollment.last_activity_at,
                lessons_completed=enrollment.lessons_completed,
                attempts_used=enrollment.attempts_used,
                readiness=enrollment.readiness_score,
                band=enrollment.readiness_band,
                active=enrollment.active,
                sections={
                    lesson_id: section_attempts(mine[lesson_id]).score(method) if lesson_id in mine else None
                    for lesson_id in course.lesson_ids
                },
                passed={lesson_id: lesson_id in mine and mine[lesson_id].is_passed for lesson_id in course.lesson_ids},
            )
        )
    return rows


def roster_page(
    course: Course, filters: RosterFilters, page: int, per_page: int, total: int | None = None
) -> RosterPage:
    """Return one page of the roster: three queries whatever the roster's size, two when the caller
    knows how many learners the filters select (the summary's count when narrows_learners is False)."""
    if total is None:
        total = db.session.execute(_filtered(course, filters, func.count(Enrollment.id))).scalar_one()
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    results = db.session.execute(roster_query(course, filters).limit(per_page).offset((page - 1) * per_page)).all()
    return RosterPage(_rows(course, results), total, page, per_page)


def iter_roster(course: Course, filters: RosterFilters, chunk: int = 1000) -> Iterator[RosterRow]:
    """Yield every roster row in order, a chunk at a time, so that memory stays flat."""
    results = db.session.execute(roster_query(course, filters).execution_options(yield_per=chunk))
    for partition in results.partitions():
        yield from _rows(course, partition)


def roster_export_rows(course: Course, filters: RosterFilters, chunk: int = 2000) -> Iterator[tuple]:
    """Yield plain rows for the export in the roster's order from ONE query, pivoting sections in SQL.

    Each row: name, email, enrolled_at, last_activity_at, started_at, completed_at,
    lessons_completed, one score per lesson (course order), readiness, band, attempts used, active.
    Rows stream from the database a chunk at a time.
    """
    score = section_score_column(course.readiness.grading)
    sections = [func.max(case((LessonProgress.lesson_id == lesson_id, score))) for lesson_id in course.lesson_ids]
    query = (
        _filtered(
            course,
            filters,
            User.name,
            User.email,
            Enrollment.enrolled_at,
            Enrollment.last_activity_at,
            Enrollment.started_at,
            Enrollment.completed_at,
            Enrollment.lessons_completed,
            *sections,
            Enrollment.readiness_score,
            Enrollment.readiness_band,
            Enrollment.attempts_used,
            Enrollment.active,
            with_users=True,
        )
        .outerjoin(LessonProgress, LessonProgress.enrollment_id == Enrollment.id)
        .group_by(Enrollment.id, User.id)
    )
    if filters.sort.startswith("section:") and filters.sort.removeprefix("section:") in course.lesson_ids:
        column = sections[course.lesson_ids.index(filters.sort.removeprefix("section:"))]
        ordered = (column.desc() if filters.descending else column.asc()).nulls_last()
    else:
        column = _SORT_COLUMNS.get(filters.sort, Enrollment.readiness_score)
        ordered = column.desc() if filters.descending else column.asc()
    tie = Enrollment.id.desc() if filters.descending else Enrollment.id.asc()
    result = db.session.execute(query.order_by(ordered, tie).execution_options(yield_per=chunk))
    for partition in result.partitions():
        yield from partition


def roster_summary(
    course: Course, cohort_ids: frozenset[int] | None = None, membership: str = DEFAULT_MEMBERSHIP
) -> RosterSummary:
    """Counts, average readiness and the readiness distribution, in one pass over the enrollments (of `membership`)."""
    ready_band = course.readiness.bands[0].name
    score = Enrollment.readiness_score

    def learners_where(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    # Buckets by comparisons: casts to integer round on PostgreSQL but truncate on SQLite.
    buckets = [
        learners_where((score >= 10 * index) & (score < 10 * (index + 1))) for index in range(HISTOGRAM_BUCKETS - 1)
    ] + [learners_where(score >= 10 * (HISTOGRAM_BUCKETS - 1))]
    row = db.session.execute(
        where_learners(
            select(
                func.count(),
                func.count(Enrollment.started_at),
                func.count(Enrollment.completed_at),
                learners_where(Enrollment.readiness_band == ready_band),
                learners_where(out_of_attempts(course)),
                func.avg(score),
                *buckets,
            ),
            course,
            cohort_ids,
            membership,
        )
    ).one()
    enrolled, started, complete, ready, stuck, average, *histogram = row
    histogram = [int(count) for count in histogram]
    return RosterSummary(enrolled, started, complete, int(ready), int(stuck), average, histogram)
