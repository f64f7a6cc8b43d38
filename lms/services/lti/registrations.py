"""Dynamic registration: one-time expiring tokens, and storing the platform a registration produced."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from ...extensions import db
from ...lti.config import PlatformConfig
from ...models import LtiRegistrationToken, utcnow
from .platforms import PlatformDetails, add_deployment, add_platform, find_platform

DEFAULT_LIFETIME = timedelta(hours=24)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_registration_token(course_id: str | None, lifetime: timedelta = DEFAULT_LIFETIME) -> str:
    """Make a one-time registration token (only its hash is kept) and return it."""
    token = secrets.token_urlsafe(32)
    db.session.add(LtiRegistrationToken(token_hash=_digest(token), course_id=course_id, expires_at=utcnow() + lifetime))
    db.session.flush()
    return token


def usable_token(token: str, now: datetime | None = None) -> LtiRegistrationToken | None:
    """The token's record while it is unused and unexpired, else None."""
    row = db.session.get(LtiRegistrationToken, _digest(token))
    now = now or utcnow()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    return row


def claim_token(token: str) -> LtiRegistrationToken | None:
    """Spend the token (one registration per token, even when two arrive at once); None when it is not usable."""
    now = utcnow()
    claimed = db.session.execute(
        update(LtiRegistrationToken)
        .where(
            LtiRegistrationToken.token_hash == _digest(token),
            LtiRegistrationToken.used_at.is_(None),
            LtiRegistrationToken.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return None
    return db.session.execute(
        select(LtiRegistrationToken).where(LtiRegistrationToken.token_hash == _digest(token))
    ).scalar_one()


def store_registration(registered: PlatformConfig, course_id: str | None, product: str | None):
    """Keep the registered platform (or add the deployment to one registered before) and return it."""
    platform = find_platform(registered.issuer, registered.client_id)
    if platform is None:
        return add_platform(
            PlatformDetails(
                issuer=registered.issuer,
                client_id=registered.client_id,
                auth_login_url=registered.auth_login_url,
                auth_token_url=registered.auth_token_url,
                jwks_url=registered.jwks_url,
                deployment_ids=tuple(registered.deployment_ids),
                token_audience=registered.token_audience,
                course_id=course_id,
                product=product,
            )
        )
    for deployment_id in registered.deployment_ids:
        add_deployment(platform, deployment_id)
    return platform
