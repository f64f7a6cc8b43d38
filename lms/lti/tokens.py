"""OAuth 2 client credentials with a signed JWT assertion: the access tokens for AGS and NRPS, cached."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence

import jwt

from . import claims as c
from .config import PlatformConfig
from .errors import BadServiceResponse
from .keys import ALGORITHM, ToolKey
from .stores import Cache
from .transport import HttpClient, json_body

ASSERTION_LIFETIME = 300
# A token is dropped this many seconds before the platform says it expires, so none is used as it runs out.
EXPIRY_MARGIN = 30
DEFAULT_EXPIRES_IN = 3600


class TokenClient:
    """Gets and caches access tokens from platforms' token endpoints."""

    def __init__(
        self, http: HttpClient, cache: Cache, tool_key: ToolKey, clock: Callable[[], float] = time.time
    ) -> None:
        self.http = http
        self.cache = cache
        self.tool_key = tool_key
        self.clock = clock

    def token(self, platform: PlatformConfig, scopes: Sequence[str]) -> str:
        """A bearer token for these scopes, from the cache or the platform; raises ServiceError."""
        key = _cache_key(platform, scopes)
        cached = self.cache.get(key)
        if isinstance(cached, str):
            return cached
        response = self.http.request(
            "POST",
            platform.auth_token_url,
            headers={"Accept": "application/json"},
            data={
                "grant_type": "client_credentials",
                "client_assertion_type": c.CLIENT_ASSERTION_TYPE,
                "client_assertion": self.assertion(platform),
                "scope": " ".join(sorted(set(scopes))),
            },
        )
        body = json_body(response)
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise BadServiceResponse(f"token endpoint {platform.auth_token_url} answered without an access_token")
        if str(body.get("token_type", "bearer")).lower() != "bearer":
            raise BadServiceResponse(f"token endpoint gave a {body.get('token_type')!r} token, not a bearer token")
        expires_in = body.get("expires_in", DEFAULT_EXPIRES_IN)
        if not isinstance(expires_in, int | float) or isinstance(expires_in, bool):
            expires_in = DEFAULT_EXPIRES_IN
        access_token: str = body["access_token"]
        lifetime = int(expires_in) - EXPIRY_MARGIN
        if lifetime > 0:
            self.cache.set(key, access_token, timeout=lifetime)
        return access_token

    def forget(self, platform: PlatformConfig, scopes: Sequence[str]) -> None:
        """Drop a cached token the platform no longer accepts."""
        self.cache.delete(_cache_key(platform, scopes))

    def assertion(self, platform: PlatformConfig) -> str:
        """The client assertion: a short-lived JWT signed with the tool key, naming the tool as issuer and subject."""
        now = int(self.clock())
        payload = {
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.assertion_audience,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(payload, self.tool_key.private_key, algorithm=ALGORITHM, headers={"kid": self.tool_key.kid})


def _cache_key(platform: PlatformConfig, scopes: Sequence[str]) -> str:
    """The cache key of a token: platform, client and the exact scope set."""
    return f"lti-token:{platform.issuer}:{platform.client_id}:{' '.join(sorted(set(scopes)))}"
