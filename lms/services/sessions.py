"""An account's server-side sessions: list them, end one, end all."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select

from ..extensions import db
from ..models import UserSession


def active_sessions(user_id: int, now: datetime, idle: timedelta) -> list[UserSession]:
    """Return the account's sessions that have not timed out, the most recently seen first."""
    return list(
        db.session.execute(
            select(UserSession)
            .where(UserSession.user_id == user_id, UserSession.expires_at > now, UserSession.last_seen_at > now - idle)
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        ).scalars()
    )


def end_session(user_id: int, session_id: int) -> bool:
    """End one of the account's sessions; return False if it has no such session."""
    result = db.session.execute(delete(UserSession).where(UserSession.id == session_id, UserSession.user_id == user_id))
    db.session.flush()
    return result.rowcount == 1


def end_all_sessions(user_id: int) -> int:
    """End every session of the account; return how many there were."""
    result = db.session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    db.session.flush()
    return result.rowcount
