"""What every outbox shares: claiming due rows with a lease, so that several workers never send one row twice.

An outbox table has `id`, `status` ('pending' until delivered or given up), `next_attempt_at` and
`tries` (lms.models: LtiGradeOutbox, MailOutbox).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from ..extensions import db


def claim_due_rows(model, now: datetime, limit: int, lease: timedelta) -> list[int]:
    """Claim up to `limit` due rows of the outbox `model` for this worker (a lease); flush only."""
    candidates = (
        select(model.id)
        .where(model.status == "pending", model.next_attempt_at <= now)
        .order_by(model.next_attempt_at, model.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL: workers pass over each other's rows; SQLite ignores it
    )
    claimed = []
    for row_id in db.session.execute(candidates).scalars().all():
        # The conditional update is the claim itself, on every database: one worker wins each row.
        won = db.session.execute(
            update(model)
            .where(model.id == row_id, model.status == "pending", model.next_attempt_at <= now)
            .values(next_attempt_at=now + lease, tries=model.tries + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        if won == 1:
            claimed.append(row_id)
    return claimed
