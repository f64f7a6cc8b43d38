"""Hand-offs: one-time, short-lived links that carry a launch's session from a cookieless frame into a new window."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete

from ...extensions import db
from ...models import LtiHandoff, UserSession

LIFETIME = timedelta(minutes=2)
MAX_TOKEN_LENGTH = 100


@dataclass(frozen=True)
class ClaimedHandoff:
    """What a spent hand-off gives: the launch's session row and the page the launch opens."""

    session_id: int
    target: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_handoff(token: str, session_id: int, target: str, now: datetime) -> None:
    """Keep the hash of a hand-off token bound to a session, for LIFETIME; clear out the expired ones."""
    db.session.execute(delete(LtiHandoff).where(LtiHandoff.expires_at <= now))
    expires_at = now + LIFETIME
    db.session.add(LtiHandoff(token_hash=_digest(token), session_id=session_id, target=target, expires_at=expires_at))
    db.session.flush()


def claim_handoff(token: str, now: datetime) -> ClaimedHandoff | None:
    """Spend the token in one conditional DELETE (once, even when two uses arrive together); None if unusable."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = db.session.execute(
        delete(LtiHandoff)
        .where(LtiHandoff.token_hash == _digest(token), LtiHandoff.expires_at > now)
        .returning(LtiHandoff.session_id, LtiHandoff.target)
        .execution_options(synchronize_session=False)
    ).first()
    return None if row is None else ClaimedHandoff(row.session_id, row.target)


def end_session(session_id: int) -> None:
    """Delete a session's row: the frame's session id never serves again once the new window has taken it over."""
    db.session.execute(delete(UserSession).where(UserSession.id == session_id))
    db.session.flush()
