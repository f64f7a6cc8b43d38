"""Accounts known by an outside identity (an LTI platform's issuer and subject): find or create."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import User, UserIdentity
from .accounts import normalize_email, user_by_email


def user_for_identity(issuer: str, subject: str) -> User | None:
    """Return the account linked to this identity, or None."""
    query = (
        select(User)
        .join(UserIdentity, UserIdentity.user_id == User.id)
        .where(UserIdentity.issuer == issuer, UserIdentity.subject == subject)
    )
    return db.session.execute(query).scalar_one_or_none()


def account_for_identity(issuer: str, subject: str, name: str, email: str | None = None) -> tuple[User, bool]:
    """Return the identity's account, creating one without a password on first sight; return (user, created).

    A new account takes the email only while no other account has it (an email never links two
    accounts: that would let one platform sign in as another's user). Two first launches at once
    make one account: the loser of the unique (issuer, subject) reads the winner's.
    """
    existing = user_for_identity(issuer, subject)
    if existing is not None:
        return existing, False
    address = normalize_email(email) if email else None
    if address is not None and user_by_email(address) is not None:
        address = None
    user = User(name=(name or "").strip()[:100] or "Learner", email=address, password_hash=None)
    try:
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
            db.session.add(UserIdentity(user_id=user.id, issuer=issuer, subject=subject))
    except IntegrityError:
        winner = user_for_identity(issuer, subject)
        if winner is None:
            raise
        return winner, False
    return user, True
