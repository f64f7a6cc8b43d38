"""Drafts of an open attempt: save one question's answer so far (one statement), read them back, clear them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from ..models import Attempt, AttemptDraft, utcnow

DraftValues = Mapping[str, Sequence[str]]


class AttemptClosed(ValueError):
    """Raised when a draft is written to an attempt that was already submitted."""


def drafts_for(attempt_id: int) -> dict[str, dict[str, list[str]]]:
    """Return an attempt's drafts: {question id: {field suffix: [values]}}."""
    query = select(AttemptDraft.question_id, AttemptDraft.values).where(AttemptDraft.attempt_id == attempt_id)
    return {question_id: values for question_id, values in db.session.execute(query)}


def save_drafts(attempt: Attempt, drafts: Mapping[str, DraftValues], now: datetime | None = None) -> None:
    """Store each question's answer so far, replacing the one before, in one statement; AttemptClosed if submitted.

    The caller checks that every question id is the attempt's and every value one it offered.
    """
    if attempt.is_submitted:
        raise AttemptClosed(f"attempt {attempt.id} is submitted")
    if not drafts:
        return
    now = now or utcnow()
    rows = [
        {
            "attempt_id": attempt.id,
            "question_id": question_id,
            "values": {suffix: list(values) for suffix, values in fields.items()},
            "saved_at": now,
        }
        for question_id, fields in drafts.items()
    ]
    # An upsert, so that a save is one write whether or not the question had a draft.
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(AttemptDraft).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["attempt_id", "question_id"],
        set_={"values": statement.excluded["values"], "saved_at": statement.excluded.saved_at},
    )
    db.session.execute(statement)


def clear_drafts(attempt_id: int) -> None:
    """Delete an attempt's drafts (on submit: the graded answers replace them)."""
    db.session.execute(delete(AttemptDraft).where(AttemptDraft.attempt_id == attempt_id))
