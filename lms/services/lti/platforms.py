"""Registered platforms and their deployments: look-up for the protocol, add, list, remove; launch nonces."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ...extensions import cache, db
from ...lti.config import PlatformConfig
from ...models import LtiDeployment, LtiNonce, LtiPlatform, utcnow

FRAME_ANCESTORS_KEY = "lti-frame-ancestors"
FRAME_ANCESTORS_TTL = 60


class PlatformProblem(ValueError):
    """Raised when platform details are not valid or already registered; nothing is written."""


@dataclass(frozen=True)
class PlatformDetails:
    """What an administrator gives to register a platform by hand."""

    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    jwks_url: str
    deployment_ids: tuple[str, ...] = ()
    token_audience: str | None = None
    course_id: str | None = None
    product: str | None = None


def platform_config(platform: LtiPlatform) -> PlatformConfig:
    """The protocol's view of a registered platform."""
    return PlatformConfig(
        issuer=platform.issuer,
        client_id=platform.client_id,
        auth_login_url=platform.auth_login_url,
        auth_token_url=platform.auth_token_url,
        jwks_url=platform.jwks_url,
        deployment_ids=frozenset(d.deployment_id for d in platform.deployments),
        token_audience=platform.token_audience,
    )


def find_platform(issuer: str, client_id: str | None) -> LtiPlatform | None:
    """The platform with this issuer and client id; without a client id, the only one with this issuer."""
    query = select(LtiPlatform).where(LtiPlatform.issuer == issuer)
    if client_id is not None:
        query = query.where(LtiPlatform.client_id == client_id)
    rows = db.session.execute(query.limit(2)).scalars().all()
    return rows[0] if len(rows) == 1 else None


class DatabasePlatforms:
    """The protocol's PlatformLookup over the registered platforms."""

    def find(self, issuer: str, client_id: str | None) -> PlatformConfig | None:
        """The platform's configuration, or None."""
        platform = find_platform(issuer, client_id)
        return platform_config(platform) if platform is not None else None


def platforms() -> list[LtiPlatform]:
    """Every registered platform, oldest first."""
    return list(db.session.execute(select(LtiPlatform).order_by(LtiPlatform.id)).scalars())


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None


def platform_origins() -> list[str]:
    """The origins that may frame the tool: each platform's issuer and login host (cached a minute)."""
    origins = cache.get(FRAME_ANCESTORS_KEY)
    if origins is None:
        rows = db.session.execute(select(LtiPlatform.issuer, LtiPlatform.auth_login_url)).all()
        origins = sorted({o for row in rows for o in map(_origin, row) if o})
        cache.set(FRAME_ANCESTORS_KEY, origins, timeout=FRAME_ANCESTORS_TTL)
    return origins


def _url(value: str, name: str) -> str:
    value = (value or "").strip()
    if not value.startswith(("https://", "http://")):
        raise PlatformProblem(f"{name} must be an http(s) URL, not {value!r}")
    return value


def add_platform(details: PlatformDetails) -> LtiPlatform:
    """Register a platform with its deployments; raises PlatformProblem for a bad URL or one already registered."""
    issuer = (details.issuer or "").strip()
    client_id = (details.client_id or "").strip()
    if not issuer or not client_id:
        raise PlatformProblem("the issuer and the client id are required")
    platform = LtiPlatform(
        issuer=issuer,
        client_id=client_id,
        auth_login_url=_url(details.auth_login_url, "the authorization (OIDC auth) URL"),
        auth_token_url=_url(details.auth_token_url, "the token URL"),
        jwks_url=_url(details.jwks_url, "the JWKS URL"),
        token_audience=(details.token_audience or "").strip() or None,
        course_id=details.course_id,
        product=details.product,
    )
    platform.deployments = [LtiDeployment(deployment_id=d) for d in _deployment_ids(details.deployment_ids)]
    try:
        with db.session.begin_nested():
            db.session.add(platform)
    except IntegrityError as error:
        raise PlatformProblem(f"{issuer} with client id {client_id} is registered already") from error
    cache.delete(FRAME_ANCESTORS_KEY)
    return platform


def _deployment_ids(values: Iterable[str]) -> list[str]:
    ids = [value.strip() for value in values if value and value.strip()]
    return list(dict.fromkeys(ids))


def add_deployment(platform: LtiPlatform, deployment_id: str) -> None:
    """Register one more deployment of the tool in the platform (idempotent)."""
    if deployment_id not in {d.deployment_id for d in platform.deployments}:
        platform.deployments.append(LtiDeployment(deployment_id=deployment_id))
        db.session.flush()


def remove_platform(platform_id: int) -> bool:
    """Forget a platform with its deployments, contexts and pending grades; False when there is none."""
    platform = db.session.get(LtiPlatform, platform_id)
    if platform is None:
        return False
    db.session.delete(platform)
    db.session.flush()
    cache.delete(FRAME_ANCESTORS_KEY)
    return True


class DatabaseNonces:
    """The protocol's NonceStore in the database: every app server sees it, and a DELETE spends a nonce once."""

    def add(self, nonce: str, ttl: int) -> None:
        """Remember a nonce issued at login, dropping expired ones on the way."""
        now = utcnow()
        db.session.execute(delete(LtiNonce).where(LtiNonce.expires_at <= now))
        db.session.add(LtiNonce(nonce=nonce[:64], expires_at=now + timedelta(seconds=ttl)))
        db.session.flush()

    def consume(self, nonce: str) -> bool:
        """True the first time an unexpired nonce we issued comes back."""
        deleted = db.session.execute(
            delete(LtiNonce)
            .where(LtiNonce.nonce == nonce[:64], LtiNonce.expires_at > utcnow())
            .execution_options(synchronize_session=False)
        )
        return deleted.rowcount == 1
