"""Platform public keys: fetched from the platform's JWKS URL, cached, fetched again once on an unknown kid."""

from __future__ import annotations

import re
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from jwt.exceptions import InvalidKeyError

from .errors import BadServiceResponse, UnknownKid
from .stores import Cache
from .transport import HttpClient

DEFAULT_TTL = 3600
MIN_TTL, MAX_TTL = 60, 86400
# A kid that was looked for and missing is not looked for again for this long, so that tokens with
# made-up kids cannot make the tool fetch the platform's key set on every request.
MISS_TTL = 60


class PlatformKeys:
    """Finds a platform's signing key by kid."""

    def __init__(self, http: HttpClient, cache: Cache) -> None:
        self.http = http
        self.cache = cache

    def key_for(self, jwks_url: str, kid: str | None) -> rsa.RSAPublicKey:
        """The RSA key with this kid; raises UnknownKid, or ServiceError when the key set cannot be fetched."""
        cached = self.cache.get(_cache_key(jwks_url))
        if cached is not None and (key := _find(cached, kid)) is not None:
            return key
        miss_key = f"lti-jwks-miss:{jwks_url}:{kid}"
        if cached is not None and self.cache.get(miss_key):
            raise UnknownKid(f"kid {kid!r} is not in the key set at {jwks_url}")
        document = self.fetch(jwks_url)
        key = _find(document, kid)
        if key is None:
            self.cache.set(miss_key, 1, timeout=MISS_TTL)
            raise UnknownKid(f"kid {kid!r} is not in the key set at {jwks_url}, fetched again just now")
        return key

    def fetch(self, jwks_url: str) -> dict[str, Any]:
        """Fetch the key set and cache it for as long as the platform's Cache-Control allows (within bounds)."""
        document, response = self.http.get_json(jwks_url, headers={"Accept": "application/json"})
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise BadServiceResponse(f"{jwks_url} is not a JWKS document (no 'keys' list)")
        self.cache.set(_cache_key(jwks_url), document, timeout=cache_seconds(response.headers.get("Cache-Control", "")))
        return document


def _cache_key(jwks_url: str) -> str:
    """The cache key of a platform's key set."""
    return f"lti-jwks:{jwks_url}"


def cache_seconds(cache_control: str) -> int:
    """Seconds to keep a key set, from its Cache-Control max-age, bounded."""
    match = re.search(r"max-age=(\d+)", cache_control)
    seconds = int(match.group(1)) if match else DEFAULT_TTL
    return max(MIN_TTL, min(MAX_TTL, seconds))


def _find(document: dict[str, Any], kid: str | None) -> rsa.RSAPublicKey | None:
    """The RSA signing key with this kid in a JWKS document; a key set of one key matches a token without kid."""
    keys = [key for key in document.get("keys", []) if isinstance(key, dict) and key.get("kty") == "RSA"]
    keys = [key for key in keys if key.get("use", "sig") == "sig"]
    if kid is None and len(keys) != 1:
        return None
    for jwk in keys if kid is None else [key for key in keys if key.get("kid") == kid]:
        try:
            key = RSAAlgorithm.from_jwk(jwk)
        except InvalidKeyError:
            continue
        if isinstance(key, rsa.RSAPublicKey):
            return key
    return None
