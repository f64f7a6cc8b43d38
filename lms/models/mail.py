"""The mail outbox: account mails written in the request's transaction and delivered by workers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow

MAIL_KINDS = ("password_reset", "verify_email", "registration_attempt")
MAIL_STATUSES = ("pending", "sent", "failed")


class MailOutbox(db.Model):
    """One mail to an account, rendered at delivery from the account's current state (no token, no body)."""

    __tablename__ = "mail_outbox"
    __table_args__ = (
        CheckConstraint("kind IN ('password_reset', 'verify_email', 'registration_attempt')", name="known_kind"),
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="known_status"),
        # Sent exactly when it has a sending time.
        CheckConstraint("(status = 'sent') = (sent_at IS NOT NULL)", name="sent_has_time"),
        # A reset row remembers which password it was asked for; no other row holds anything of it.
        CheckConstraint("(kind = 'password_reset') = (password_digest IS NOT NULL)", name="reset_has_digest"),
        CheckConstraint("tries >= 0", name="tries_not_negative"),
        Index("ix_mail_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    # CASCADE: a deleted account's pending mails go with it, and nothing is sent to it.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # PUBLIC_URL, else the request's host URL: a worker without a request builds the same links.
    base_url: Mapped[str] = mapped_column(String(1000))
    # A digest of the password hash when the reset was asked for: a password changed since voids the row.
    password_digest: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<MailOutbox {self.id} {self.kind} user={self.user_id} {self.status}>"
