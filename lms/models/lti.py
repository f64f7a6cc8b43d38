"""LTI 1.3: registered platforms and deployments, launch nonces, contexts, resource links, grade outbox, hand-offs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

OUTBOX_STATUSES = ("pending", "delivered", "failed")
OUTBOX_KINDS = ("lesson", "readiness")


class LtiPlatform(db.Model):
    """One registration of the tool in a platform (an LMS): issuer, client id and its endpoints."""

    __tablename__ = "lti_platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    auth_token_url: Mapped[str] = mapped_column(String(1000))
    jwks_url: Mapped[str] = mapped_column(String(1000))
    token_audience: Mapped[str | None] = mapped_column(String(1000))
    # The course a launch opens when its link names none (a registration URL made with --course).
    course_id: Mapped[str | None] = mapped_column(String(64))
    product: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    deployments: Mapped[list[LtiDeployment]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", passive_deletes=True, order_by="LtiDeployment.id"
    )

    def __repr__(self) -> str:
        return f"<LtiPlatform {self.id} {self.issuer} {self.client_id}>"


class LtiDeployment(db.Model):
    """A deployment of the tool in a platform; launches from other deployments are refused."""

    __tablename__ = "lti_deployments"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))

    platform: Mapped[LtiPlatform] = relationship(back_populates="deployments")

    def __repr__(self) -> str:
        return f"<LtiDeployment {self.id} platform={self.platform_id} {self.deployment_id}>"


class LtiNonce(db.Model):
    """A nonce issued at login, spent by one launch: in the database, so that every app server shares it."""

    __tablename__ = "lti_nonces"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    def __repr__(self) -> str:
        return f"<LtiNonce expires={self.expires_at}>"


class LtiRetiredKey(db.Model):
    """A tool public key no longer used for signing, still published in the JWKS until it expires."""

    __tablename__ = "lti_retired_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_pem: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<LtiRetiredKey {self.kid} until {self.expires_at}>"


class LtiRegistrationToken(db.Model):
    """A one-time, expiring token that lets a platform register the tool by dynamic registration."""

    __tablename__ = "lti_registration_tokens"

    # Only the SHA-256 of the token is kept: the URL itself is the secret.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    course_id: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    platform_id: Mapped[int | None] = mapped_column(ForeignKey("lti_platforms.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<LtiRegistrationToken course={self.course_id} until {self.expires_at}>"


class LtiContext(db.Model):
    """A course of the platform (platform, deployment, context id), taught as a cohort of one of our courses."""

    __tablename__ = "lti_contexts"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255))
    course_id: Mapped[str] = mapped_column(String(64))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    lineitems_url: Mapped[str | None] = mapped_column(String(1000))
    # The AGS scopes the platform granted at the last launch, space-separated.
    ags_scopes: Mapped[str | None] = mapped_column(String(1000))
    readiness_line_item_url: Mapped[str | None] = mapped_column(String(1000))
    memberships_url: Mapped[str | None] = mapped_column(String(1000))
    roster_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    platform: Mapped[LtiPlatform] = relationship()

    def __repr__(self) -> str:
        return f"<LtiContext {self.id} {self.context_id} -> {self.course_id} cohort={self.cohort_id}>"


class LtiResourceLink(db.Model):
    """A link placed in a platform's course, pointing at our course or one of its lessons, with its line item."""

    __tablename__ = "lti_resource_links"
    __table_args__ = (UniqueConstraint("context_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_contexts.id", ondelete="CASCADE"))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255))
    course_id: Mapped[str] = mapped_column(String(64))
    lesson_id: Mapped[str | None] = mapped_column(String(64))
    line_item_url: Mapped[str | None] = mapped_column(String(1000))

    context: Mapped[LtiContext] = relationship()

    def __repr__(self) -> str:
        return f"<LtiResourceLink {self.id} {self.resource_link_id} -> {self.course_id}/{self.lesson_id}>"


class LtiGradeOutbox(db.Model):
    """A score to send to a platform's gradebook, written with the graded attempt and delivered by the worker."""

    __tablename__ = "lti_grade_outbox"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'delivered', 'failed')",
            name="known_status",
        ),
        CheckConstraint("kind IN ('lesson', 'readiness')", name="known_kind"),
        CheckConstraint("score >= 0 AND score <= 100", name="score_in_range"),
        # Delivered exactly when it has a delivery time.
        CheckConstraint("(status = 'delivered') = (delivered_at IS NOT NULL)", name="delivered_has_time"),
        Index("ix_lti_grade_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_contexts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id", ondelete="SET NULL"))
    resource_link_id: Mapped[int | None] = mapped_column(ForeignKey("lti_resource_links.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    lti_user_id: Mapped[str] = mapped_column(String(255))
    score: Mapped[float] = mapped_column(Float)
    graded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    tries: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    context: Mapped[LtiContext] = relationship()
    resource_link: Mapped[LtiResourceLink | None] = relationship()

    def __repr__(self) -> str:
        return f"<LtiGradeOutbox {self.id} {self.kind} user={self.user_id} {self.status}>"


class LtiHandoff(db.Model):
    """A one-time link that carries a launch's session into a new window when the frame keeps no cookies."""

    __tablename__ = "lti_handoffs"

    # Only the SHA-256 of the token is kept: the link itself is the secret.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(1000))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<LtiHandoff session={self.session_id} until {self.expires_at}>"
