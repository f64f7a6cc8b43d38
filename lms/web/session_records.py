"""The one statement that opens a stored session: its row, its account and, on a course page, the
account's enrollment there with its progress rows.

Every signed-in request runs it, so it skips the ORM's loading, which cost more than the query:
it selects plain columns, the progress rows as one JSON column (one result row, not one per
lesson), and hands the account and enrollment to the ORM session as already-loaded objects, the
state a query leaves them in (README, "Performance"). Writes lock and reload what they change.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import JSON, Select, bindparam, func, inspect, select, type_coerce
from sqlalchemy.orm.attributes import instance_dict, instance_state
from sqlalchemy.orm.util import identity_key

from ..domain.values import value
from ..extensions import db
from ..models import Enrollment, LessonProgress, ProgressRecord, User, UserSession
from ..models.base import UTCDateTime, utc_from_text
from ..services.attempts import quiz_rule_parts

_SESSION_COLUMNS = ("id", "user_id", "data", "persistent", "last_seen_at", "expires_at")
_ACCOUNT_START = len(_SESSION_COLUMNS)
_PROGRESS = LessonProgress.__table__
_PROGRESS_TIMESTAMPS = tuple(index for index, column in enumerate(_PROGRESS.c) if isinstance(column.type, UTCDateTime))


@value
class StoredSession:
    """A stored session's columns, its account, and on a course page the enrollment there and its progress."""

    id: int
    user_id: int | None
    data: str
    persistent: bool
    last_seen_at: datetime
    expires_at: datetime
    account: User | None
    enrollment: Enrollment | None
    progress: dict[str, ProgressRecord]
    quiz_rules: tuple[tuple, ...] | None  # the enrollment's quiz rules (services.attempts.quiz_rule_parts), if read


@cache
def _attributes(model: type) -> tuple[tuple[str, Any], ...]:
    """The model's column attributes with their columns (attribute names may differ from column names)."""
    return tuple((attribute.key, attribute.columns[0]) for attribute in inspect(model).column_attrs)


def _json_rows(dialect: str, columns, condition):
    """The rows of these columns that meet the condition, as one JSON array of arrays (a correlated subquery)."""
    rows = (
        func.json_agg(func.json_build_array(*columns))
        if dialect == "postgresql"
        else func.json_group_array(func.json_array(*columns))
    )
    return select(rows).where(condition).scalar_subquery()


def _course_records(dialect: str, enrollments, with_quiz_rules: bool):
    """The enrollment's progress rows and, if asked, each kind of its quiz rule rows: one JSON array of row arrays.

    One column, parsed once. The quiz rules (attempt limits, overrides, attempts in progress) are what
    the outline and dashboard show: read here, they cost those pages no statement of their own.
    """
    parts = [_json_rows(dialect, _PROGRESS.c, _PROGRESS.c.enrollment_id == enrollments.c.id)]
    if with_quiz_rules:
        rules = quiz_rule_parts(enrollments.c.id, enrollments.c.course_id, enrollments.c.cohort_id)
        parts += [_json_rows(dialect, columns, condition) for columns, condition in rules]
    if dialect == "postgresql":
        return type_coerce(func.json_build_array(*parts), JSON)
    # SQLite: json() marks each subquery's text as JSON again (a subquery's result loses that mark).
    return type_coerce(func.json_array(*(func.json(part) for part in parts)), JSON)


@cache  # built once per dialect and kind of page: constructing a statement costs more than its cached compile
def _statement(dialect: str, on_course_page: bool, with_quiz_rules: bool) -> Select:
    """The columns in this order: the session's, the account's, then on a course page the enrollment's and "records"."""
    sessions, users = UserSession.__table__, User.__table__
    columns = [sessions.c[key] for key in _SESSION_COLUMNS]
    columns += [column.label(f"account_{key}") for key, column in _attributes(User)]
    joined = sessions.outerjoin(users, users.c.id == sessions.c.user_id)
    if on_course_page:
        enrollments = Enrollment.__table__
        columns += [column.label(f"enrollment_{key}") for key, column in _attributes(Enrollment)]
        columns.append(_course_records(dialect, enrollments, with_quiz_rules).label("records"))
        joined = joined.outerjoin(
            enrollments, (enrollments.c.user_id == users.c.id) & (enrollments.c.course_id == bindparam("course_id"))
        )
    return select(*columns).select_from(joined).where(sessions.c.token_hash == bindparam("token_hash"))


def read_session(token_hash: str, course_id: str | None, with_quiz_rules: bool = False) -> StoredSession | None:
    """Return the session stored under this token hash (with its records on a course page), or None."""
    session = db.session()  # the request's session, looked up once
    on_course_page = course_id is not None
    statement = _statement(session.get_bind().dialect.name, on_course_page, on_course_page and with_quiz_rules)
    row = session.execute(statement, {"token_hash": token_hash, "course_id": course_id}).first()
    if row is None:
        return None
    # The row's columns by position, in _statement's order: slices, not a lookup by label per column.
    account_end = _ACCOUNT_START + len(_attributes(User))
    enrollment_end = account_end + len(_attributes(Enrollment))
    # PostgreSQL's json_agg of no rows is NULL; with no enrollment, every part is.
    progress, *rules = row[enrollment_end] if on_course_page else ((),)
    return StoredSession(
        *row[:_ACCOUNT_START],
        account=_loaded(session, User, row[_ACCOUNT_START:account_end]),
        enrollment=_loaded(session, Enrollment, row[account_end:enrollment_end]) if on_course_page else None,
        progress=_progress(progress),
        quiz_rules=tuple(tuple(row) for kind in rules for row in kind or ()) if rules else None,
    )


def _loaded(session, model: type, values: tuple):
    """The instance of model these column values describe (in _attributes order), in the session as a query
    would have left it; None for no row."""
    identity = values[_id_position(model)]
    if identity is None:  # the outer join found no row
        return None
    key = (_identity_class(model), (identity,), None)  # identity_key(model, identity), without its argument parsing
    existing = session.identity_map.get(key)
    if existing is not None:
        return existing  # as the ORM does: a query returns the object the session already holds
    instance = inspect(model).class_manager.new_instance()
    instance_dict(instance).update(zip(_attribute_keys(model), values, strict=True))
    # Attached as the ORM's loading attaches an object it builds from a row (orm.loading._instance):
    # keyed, in the identity map, nothing changed. Session.add would also walk every relationship's
    # cascade and fire the attach events, for an object with nothing to cascade (0.23 M instructions
    # of the dashboard's 5.5 M).
    state = instance_state(instance)
    state.key, state.identity_token, state.session_id = key, None, session.hash_key
    session.identity_map.add(state)
    return instance


@cache
def _identity_class(model: type) -> type:
    """The class that keys the model's instances in the identity map (the model, or its inheritance base)."""
    return identity_key(model, 0)[0]


@cache
def _attribute_keys(model: type) -> tuple[str, ...]:
    return tuple(key for key, _ in _attributes(model))


@cache
def _id_position(model: type) -> int:
    return _attribute_keys(model).index("id")


def _progress(rows: list[list[Any]] | None) -> dict[str, ProgressRecord]:
    """The progress records by lesson id from the statement's JSON column (timestamps are text in JSON:
    naive UTC from SQLite, with an offset from PostgreSQL)."""
    records = {}
    for row in rows or ():  # PostgreSQL's json_agg of no rows is NULL
        for position in _PROGRESS_TIMESTAMPS:
            if row[position] is not None:
                row[position] = utc_from_text(row[position])
        record = ProgressRecord(*row)
        records[record.lesson_id] = record
    return records
