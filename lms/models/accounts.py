"""Accounts: people, and the outside identities (LTI, single sign-on) they sign in with."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .learning import Enrollment


class User(UserMixin, db.Model):
    """A person. An account made by an outside platform may have no email and no password."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lowercase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # None: the account cannot sign in with a password (it launches from another platform).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Site level: the CLI and the catalog; an administrator may act as instructor in every course.
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # Part of the id Flask-Login keeps in sessions and remember cookies: raising it signs out everywhere.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the owner opened the link mailed to the address (or an operator vouched for it).
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enrollments: Mapped[list[Enrollment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    identities: Mapped[list[UserIdentity]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    def get_id(self) -> str:
        """The session's user id: the account id and its session version."""
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserIdentity(db.Model):
    """An account's identity at an outside issuer (an LTI platform): one account per (issuer, subject)."""

    __tablename__ = "user_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="identities")

    def __repr__(self) -> str:
        return f"<UserIdentity {self.id} user={self.user_id} {self.issuer} {self.subject}>"
