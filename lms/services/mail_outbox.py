"""The mail outbox: queue account mails with the request's write, claim due ones for a worker, record outcomes.

Flush only. Rows hold no token and no body: a mail is rendered at delivery from the account as
it is then, so its link is fresh, and a row the account's state has overtaken is given up.
"""

from __future__ import annotations

import hashlib
import random
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete

from ..extensions import app_setting, db
from ..models import MailOutbox, User
from .outboxes import claim_due_rows

# A claimed row is the claiming worker's for this long (SMTP gives up after MAIL_TIMEOUT, 10 s by
# default); a worker that died lets it go after that, and another sends it.
LEASE = timedelta(minutes=5)
# Backoff with full jitter, 30 s doubling up to an hour, at most 20 tries: at most about 13 hours in all.
FIRST_DELAY = 30.0
MAX_DELAY = 3600.0
MAX_TRIES = 20


def password_digest(user: User) -> str:
    """A digest of the account's password hash, so that a row can tell the password changed (not a token)."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()


def queue(kind: str, user: User, base_url: str, now: datetime, claimed: bool = False) -> MailOutbox:
    """Add a mail for the account (flush only); `claimed` leases it at once to the caller's immediate attempt."""
    row = MailOutbox(
        kind=kind,
        user_id=user.id,
        base_url=base_url,
        password_digest=password_digest(user) if kind == "password_reset" else None,
        created_at=now,
        next_attempt_at=now + LEASE if claimed else now,
        tries=1 if claimed else 0,
        status="pending",
    )
    db.session.add(row)
    db.session.flush()
    return row


def claim_due(now: datetime, limit: int = 50) -> list[int]:
    """Claim up to `limit` due rows for this worker (a lease), so that no other worker sends them; flush only."""
    return claim_due_rows(MailOutbox, now, limit, LEASE)


def _max_age(kind: str) -> int | None:
    """Seconds after the request that the mail's link would have died anyway (None: no link that expires)."""
    if kind == "password_reset":
        return int(app_setting("PASSWORD_RESET_MAX_AGE"))
    if kind == "verify_email":
        return int(app_setting("EMAIL_VERIFICATION_MAX_AGE"))
    return None


def reason_not_to_send(row: MailOutbox, user: User, now: datetime) -> str | None:
    """Why this claimed mail must not go out any more, or None when it should be sent now."""
    max_age = _max_age(row.kind)
    if max_age is not None and now - row.created_at > timedelta(seconds=max_age):
        return f"not sent: its link would have expired ({max_age} s after the request)"
    if user.email is None:
        return "not sent: the account has no email address"
    if row.kind == "password_reset":
        if user.password_hash is None:
            return "not sent: the account has no password to reset"
        if row.password_digest != password_digest(user):
            # The owner chose a password since (a reset, a change): the request is settled.
            return "not sent: the password changed after the request"
    if row.kind == "verify_email" and user.email_verified_at is not None:
        return "not sent: the address was confirmed meanwhile"
    return None


@dataclass(frozen=True)
class Delivery:
    """What became of one claimed row."""

    row_id: int
    kind: str
    status: str
    error: str | None = None


def is_permanent(error: OSError) -> bool:
    """Whether the mail server refused this address for good (a 5xx to RCPT): trying again would get the same.

    Other refusals (authentication, the sender, the data) are the set-up's, the same for every mail:
    those are retried, so that the mails go out once an operator has fixed it.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(500 <= code < 600 for code, _ in error.recipients.values())
    return False


def retry_delay(tries: int, rand: Callable[[], float] = random.random) -> float:
    """Seconds before the next try after `tries` tries: random up to 30 s * 2^(tries-1), at most an hour."""
    ceiling = min(MAX_DELAY, FIRST_DELAY * 2.0 ** max(0, tries - 1))
    # Full jitter spreads the retries of every mail queued during an outage over the window.
    return max(1.0, ceiling * rand())


def record(row: MailOutbox, now: datetime, error: OSError | None = None, given_up: str | None = None) -> Delivery:
    """Mark a claimed row sent, or given up, or due again after a backoff, or failed after MAX_TRIES (flush only)."""
    if given_up is not None:
        row.status, row.last_error = "failed", given_up[:500]
    elif error is None:
        row.status, row.sent_at, row.last_error = "sent", now, None
    else:
        row.last_error = f"{type(error).__name__}: {error}"[:500]
        if is_permanent(error) or row.tries >= MAX_TRIES:
            row.status = "failed"
        else:
            row.next_attempt_at = now + timedelta(seconds=retry_delay(row.tries))
    db.session.flush()
    return Delivery(row.id, row.kind, row.status, row.last_error)


def prune(before: datetime) -> int:
    """Delete sent and given-up rows made before `before` (pending ones stay); return how many (flush only)."""
    return db.session.execute(
        delete(MailOutbox)
        .where(MailOutbox.status != "pending", MailOutbox.created_at < before)
        .execution_options(synchronize_session=False)
    ).rowcount
