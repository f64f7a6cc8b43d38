"""Accounts: registration and password checks."""

from __future__ import annotations

import functools

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..domain.course import Course
from ..extensions import app_setting, db
from ..models import Enrollment, User, utcnow
from .enrollments import set_role

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
    """Raised when deleting the only instructor of a course would leave it without one; args[0] is its id."""


class LastAdmin(PermissionError):
    """Raised when deleting the only administrator would leave the site without one."""


def normalize_email(email: str) -> str:
    """Return the canonical form of an email address: trimmed and lowercase."""
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    """Return the user with this email in any letter case, or None."""
    return db.session.execute(select(User).where(User.email == normalize_email(email))).scalar_one_or_none()


def register_user(name: str, email: str, password: str) -> User:
    """Create an account with a hashed password; raise EmailTaken if the email is in use."""
    # Hash first: a taken email then costs as long as a new one, so the time tells nothing either.
    password_hash = generate_password_hash(password, method=password_method())
    if user_by_email(email) is not None:
        raise EmailTaken(email)
    user = User(name=name.strip(), email=normalize_email(email), password_hash=password_hash)
    try:
        # A savepoint: a concurrent registration of the same email loses cleanly.
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError as error:
        raise EmailTaken(email) from error
    return user


def create_staff(
    name: str, email: str, password: str | None, course: Course | None, admin: bool = False, role: str = "instructor"
) -> tuple[User, bool]:
    """Create an account (or take the existing one, its password unchanged) and make it staff.

    With a course, the account gets this role there; with admin, it becomes a site administrator
    (who may act as instructor in every course). Returns (user, created).
    """
    user = user_by_email(email)
    created = user is None
    if created:
        if not password:
            raise ValueError("a new account needs a password")
        user = register_user(name, email, password)
    if admin:
        user.is_admin = True
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()  # the operator who makes staff vouches for the address
    db.session.flush()
    if course is not None:
        set_role(user.id, course, role)
    return user, created


def has_admin() -> bool:
    """True if any account is a site administrator."""
    return db.session.execute(select(User.id).where(User.is_admin).limit(1)).first() is not None


def authenticate(email: str, password: str) -> User | None:
    """Return the user if the email and password match, else None, in the same time either way.

    An account without a password (made by an outside platform) never matches.
    """
    user = user_by_email(email)
    if user is None or user.password_hash is None:
        check_password_hash(_dummy_hash(password_method()), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def _password_matches(user: User, password: str) -> bool:
    return user.password_hash is not None and check_password_hash(user.password_hash, password)


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password and end every other session; raise WrongPassword if current is wrong."""
    if not _password_matches(user, current):
        raise WrongPassword("the current password is not right")
    user.password_hash = generate_password_hash(new, method=password_method())
    user.session_version += 1
    db.session.flush()


def _lock_staff_rows(course_ids: list[str]) -> None:
    """Lock what the last-instructor and last-admin rules read, so that two deletions run one at a time.

    PostgreSQL locks every instructor enrollment of those courses and every admin row: a concurrent
    deletion waits, then sees the other's rows gone. SQLite takes the database's write lock.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(User).where(User.id == -1).values(session_version=User.session_version))
        return
    db.session.execute(select(User.id).where(User.is_admin).order_by(User.id).with_for_update())
    if course_ids:
        db.session.execute(
            select(Enrollment.id)
            .where(Enrollment.course_id.in_(course_ids), Enrollment.role == "instructor")
            .order_by(Enrollment.id)
            .with_for_update()
        )


def delete_account(user: User, password: str) -> None:
    """Delete an account and, through the database's cascades, all its records.

    Raises WrongPassword, LastInstructor (naming the course) if a course it teaches would be left
    without an instructor, and LastAdmin if the site would be left without an administrator.
    """
    if not _password_matches(user, password):
        raise WrongPassword("the password is not right")
    taught = list(
        db.session.execute(
            select(Enrollment.course_id).where(Enrollment.user_id == user.id, Enrollment.role == "instructor")
        ).scalars()
    )
    _lock_staff_rows(taught)
    for course_id in taught:
        others = db.session.execute(
            select(Enrollment.id)
            .where(Enrollment.course_id == course_id, Enrollment.role == "instructor", Enrollment.user_id != user.id)
            .limit(1)
        ).first()
        if others is None:
            raise LastInstructor(course_id)
    if db.session.execute(select(User.is_admin).where(User.id == user.id)).scalar():
        others = db.session.execute(select(User.id).where(User.is_admin, User.id != user.id).limit(1)).first()
        if others is None:
            raise LastAdmin("the site needs at least one administrator")
    db.session.delete(user)
    db.session.flush()
