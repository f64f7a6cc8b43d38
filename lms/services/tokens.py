"""Signed, expiring links for password reset and email verification (itsdangerous), and what they do."""

from __future__ import annotations

import hashlib
import hmac

from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.security import generate_password_hash

from ..extensions import app_setting, db
from ..models import User
from ..models.base import utcnow
from .accounts import password_method

PASSWORD_RESET = "password-reset"
EMAIL_VERIFICATION = "email-verification"


class InvalidLink(ValueError):
    """Raised when a link is forged, expired, already used, or its account is gone or changed."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(app_setting("SECRET_KEY"), salt=f"lms.{purpose}")


def _fingerprint(value: str) -> str:
    # The token is signed, not encrypted: it carries a digest of the secret state, never the state.
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _load(purpose: str, token: str, max_age: int) -> tuple[User, str]:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
        user_id, fingerprint = int(data["u"]), str(data["f"])
    except (BadData, KeyError, TypeError, ValueError):
        raise InvalidLink(purpose) from None
    user = db.session.get(User, user_id)
    if user is None:
        raise InvalidLink(purpose)
    return user, fingerprint


def password_reset_link_token(user: User) -> str:
    """A token for a password-reset link; it dies when the password changes (so also on use)."""
    return _serializer(PASSWORD_RESET).dumps({"u": user.id, "f": _fingerprint(user.password_hash or "")})


def user_for_password_reset(token: str) -> User:
    """Return the account a reset token names; raise InvalidLink if it is forged, expired or used."""
    user, fingerprint = _load(PASSWORD_RESET, token, app_setting("PASSWORD_RESET_MAX_AGE"))
    if user.password_hash is None or not hmac.compare_digest(fingerprint, _fingerprint(user.password_hash)):
        raise InvalidLink(PASSWORD_RESET)
    return user


def set_new_password(user: User, new: str) -> None:
    """Set a new password and sign the account out everywhere (its old reset links die with the hash)."""
    user.password_hash = generate_password_hash(new, method=password_method())
    user.session_version += 1
    db.session.flush()


def verification_link_token(user: User) -> str:
    """A token for an email-verification link, valid for the account's current email only."""
    return _serializer(EMAIL_VERIFICATION).dumps({"u": user.id, "f": _fingerprint(user.email or "")})


def user_for_verification(token: str) -> User:
    """Return the account a verification token names; raise InvalidLink if forged, expired or stale."""
    user, fingerprint = _load(EMAIL_VERIFICATION, token, app_setting("EMAIL_VERIFICATION_MAX_AGE"))
    if user.email is None or not hmac.compare_digest(fingerprint, _fingerprint(user.email)):
        raise InvalidLink(EMAIL_VERIFICATION)
    return user


def mark_verified(user: User) -> None:
    """Record that the account's email is verified (once: a second use changes nothing)."""
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        db.session.flush()


def needs_verification(user: User) -> bool:
    """True if the setting asks for it and this self-registered account has not verified its email.

    Accounts made by an outside platform (no password here) are vouched for by that platform.
    """
    return (
        bool(app_setting("EMAIL_VERIFICATION_REQUIRED"))
        and user.password_hash is not None
        and user.email is not None
        and user.email_verified_at is None
    )
