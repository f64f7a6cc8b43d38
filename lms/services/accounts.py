"""Accounts: registration and password checks."""

from __future__ import annotations

import functools

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import app_setting, db
from ..models import User

PASSWORD_METHOD = "scrypt"  # the default of the PASSWORD_HASH_METHOD setting


def password_method() -> str:
    """Return the hash method for new passwords (the PASSWORD_HASH_METHOD setting)."""
    return app_setting("PASSWORD_HASH_METHOD")


@functools.cache
def _dummy_hash(method: str) -> str:
    # Checked when no account matches, so that a missing email costs as long as a wrong password.
    return generate_password_hash("not a real password", method=method)


class EmailTaken(ValueError):
    """Raised when an account with this email (in any letter case) already exists."""


class WrongPassword(PermissionError):
    """Raised when the password given to confirm an action is not the account's."""


class LastInstructor(PermissionError):
    """Raised when deleting the only instructor would leave the course without one."""


def normalize_email(email: str) -> str:
    """Return the canonical form of an email address: trimmed and lowercase."""
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    """Return the user with this email in any letter case, or None."""
    return db.session.execute(select(User).where(User.email == normalize_email(email))).scalar_one_or_none()


def register_user(name: str, email: str, password: str) -> User:
    """Create an account with a hashed password; raise EmailTaken if the email is in use."""
    if user_by_email(email) is not None:
        raise EmailTaken(email)
    user = User(
        name=name.strip(),
        email=normalize_email(email),
        password_hash=generate_password_hash(password, method=password_method()),
    )
    try:
        # A savepoint: a concurrent registration of the same email loses cleanly.
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError as error:
        raise EmailTaken(email) from error
    return user


def create_instructor(name: str, email: str, password: str | None) -> tuple[User, bool]:
    """Create an instructor, or promote an existing account (its password unchanged); return (user, created)."""
    user = user_by_email(email)
    if user is not None:
        user.is_instructor = True
        db.session.flush()
        return user, False
    if not password:
        raise ValueError("a new instructor needs a password")
    user = register_user(name, email, password)
    user.is_instructor = True
    db.session.flush()
    return user, True


def has_instructor() -> bool:
    """True if any account is an instructor."""
    return db.session.execute(select(User.id).where(User.is_instructor).limit(1)).first() is not None


def authenticate(email: str, password: str) -> User | None:
    """Return the user if the email and password match, else None, in the same time either way."""
    user = user_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(password_method()), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password and end every other session; raise WrongPassword if current is wrong."""
    if not check_password_hash(user.password_hash, current):
        raise WrongPassword("the current password is not right")
    user.password_hash = generate_password_hash(new, method=password_method())
    user.session_version += 1
    db.session.flush()


def delete_account(user: User, password: str) -> None:
    """Delete an account and, through the database's cascades, all its records."""
    if not check_password_hash(user.password_hash, password):
        raise WrongPassword("the password is not right")
    if user.is_instructor:
        others = db.session.execute(select(User.id).where(User.is_instructor, User.id != user.id).limit(1)).first()
        if others is None:
            raise LastInstructor("the course needs at least one instructor")
    db.session.delete(user)
    db.session.flush()
