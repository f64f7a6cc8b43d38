"""Launch validation: every check LTI 1.3 requires of an id_token, each failure its own LaunchError."""

from __future__ import annotations

import hmac
from typing import Any

import jwt

from . import claims as c
from .config import PlatformConfig
from .errors import (
    BadIssuedAt,
    BadSignature,
    Expired,
    KeySetUnavailable,
    MalformedToken,
    MissingClaim,
    ReplayedNonce,
    ServiceError,
    UnknownDeployment,
    UnknownPlatform,
    WrongAlgorithm,
    WrongAudience,
    WrongIssuer,
    WrongMessageType,
    WrongState,
    WrongVersion,
)
from .jwks import PlatformKeys
from .keys import ALGORITHM
from .messages import LaunchMessage, read_message
from .stores import NonceStore, PlatformLookup

SUPPORTED_MESSAGES = (c.RESOURCE_LINK_REQUEST, c.DEEP_LINKING_REQUEST)
DEFAULT_LEEWAY = 60
REQUIRED = ("iss", "aud", "exp", "iat", "sub", "nonce", c.MESSAGE_TYPE, c.VERSION, c.DEPLOYMENT_ID)


class LaunchValidator:
    """Checks an id_token posted to the launch URL against the registered platforms."""

    def __init__(
        self,
        platforms: PlatformLookup,
        keys: PlatformKeys,
        nonces: NonceStore,
        *,
        leeway: int = DEFAULT_LEEWAY,
        message_types: tuple[str, ...] = SUPPORTED_MESSAGES,
    ) -> None:
        self.platforms = platforms
        self.keys = keys
        self.nonces = nonces
        self.leeway = leeway
        self.message_types = message_types

    def validate(self, id_token: str | None, state: str | None, expected_state: str | None) -> LaunchMessage:
        """The launch, if every check passes; raises the LaunchError subclass of the first check that fails."""
        if not state or not expected_state or not hmac.compare_digest(state.encode(), expected_state.encode()):
            raise WrongState("the state posted back is missing or not the one given to this browser at login")
        if not id_token:
            raise MissingClaim("no id_token was posted")
        header, unverified = _peek(id_token)
        platform = self._platform(unverified)
        if header.get("alg") != ALGORITHM:
            raise WrongAlgorithm(f"token signed with {header.get('alg')!r}, not {ALGORITHM}")
        try:
            key = self.keys.key_for(platform.jwks_url, header.get("kid"))
        except ServiceError as error:
            raise KeySetUnavailable(f"cannot read {platform.jwks_url}: {error}") from error
        claims = self._verify(id_token, key, platform)
        _check_authorized_party(claims, platform.client_id)
        # The nonce is spent only once the signature is known good, so forged tokens cannot burn real nonces.
        if not isinstance(claims["nonce"], str) or not self.nonces.consume(claims["nonce"]):
            raise ReplayedNonce("the nonce was not issued by this tool, has expired, or was used already")
        if claims[c.VERSION] != c.LTI_VERSION:
            raise WrongVersion(f"LTI version {claims[c.VERSION]!r}, not {c.LTI_VERSION}")
        if claims[c.MESSAGE_TYPE] not in self.message_types:
            raise WrongMessageType(f"message type {claims[c.MESSAGE_TYPE]!r} is not one of {self.message_types}")
        if not isinstance(claims[c.DEPLOYMENT_ID], str):
            raise MissingClaim(f"claim {c.DEPLOYMENT_ID} must be a string")
        if claims[c.DEPLOYMENT_ID] not in platform.deployment_ids:
            raise UnknownDeployment(f"deployment {claims[c.DEPLOYMENT_ID]!r} is not registered for {platform.issuer}")
        return read_message(claims, platform.client_id)

    def peek(self, id_token: str | None) -> tuple[PlatformConfig, object]:
        """The platform a token names and its nonce, unverified (only to ask the storage); raises LaunchError."""
        if not id_token:
            raise MissingClaim("no id_token was posted")
        _, unverified = _peek(id_token)
        return self._platform(unverified), unverified.get("nonce")

    def _platform(self, unverified: dict[str, Any]) -> PlatformConfig:
        """The platform the token names; raises UnknownPlatform, or WrongAudience for a known issuer's other client."""
        issuer = unverified.get("iss")
        if not isinstance(issuer, str) or not issuer:
            raise MissingClaim("claim iss is missing")
        for client_id in _candidate_client_ids(unverified):
            platform = self.platforms.find(issuer, client_id)
            if platform is not None:
                return platform
        if self.platforms.find(issuer, None) is not None:
            raise WrongAudience(f"audience {unverified.get('aud')!r} is not this tool's client id at {issuer}")
        raise UnknownPlatform(f"no platform registered for issuer {issuer!r} and audience {unverified.get('aud')!r}")

    def _verify(self, id_token: str, key: Any, platform: PlatformConfig) -> dict[str, Any]:
        """The verified claims; raises BadSignature, Expired, BadIssuedAt, WrongIssuer, WrongAudience, MissingClaim."""
        try:
            return jwt.decode(
                id_token,
                key,
                algorithms=[ALGORITHM],
                audience=platform.client_id,
                issuer=platform.issuer,
                leeway=self.leeway,
                options={"require": list(REQUIRED)},
            )
        except jwt.InvalidSignatureError as error:
            raise BadSignature(str(error)) from error
        except jwt.ExpiredSignatureError as error:
            raise Expired(str(error)) from error
        except (jwt.ImmatureSignatureError, jwt.InvalidIssuedAtError) as error:
            raise BadIssuedAt(str(error)) from error
        except jwt.InvalidIssuerError as error:
            raise WrongIssuer(str(error)) from error
        except jwt.InvalidAudienceError as error:
            raise WrongAudience(str(error)) from error
        except jwt.MissingRequiredClaimError as error:
            raise MissingClaim(str(error)) from error
        except jwt.InvalidTokenError as error:
            raise MalformedToken(str(error)) from error


def _peek(id_token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims before verification, only to find the platform and key; raises MalformedToken."""
    try:
        header = jwt.get_unverified_header(id_token)
        claims = jwt.decode(id_token, options={"verify_signature": False})
    except jwt.InvalidTokenError as error:
        raise MalformedToken(f"id_token is not a JWT: {error}") from error
    return header, claims


def _candidate_client_ids(claims: dict[str, Any]) -> list[str]:
    """The client ids the token may be meant for: `azp` first, then each audience."""
    audience = claims.get("aud")
    if isinstance(audience, str):
        audiences = [audience]
    elif isinstance(audience, list):
        audiences = [a for a in audience if isinstance(a, str)]
    else:
        audiences = []
    azp = claims.get("azp")
    return [azp, *audiences] if isinstance(azp, str) else audiences


def _check_authorized_party(claims: dict[str, Any], client_id: str) -> None:
    """With several audiences `azp` must be present, and when present it must be our client id; raises WrongAudience."""
    audience = claims["aud"]
    azp = claims.get("azp")
    if isinstance(audience, list) and len(audience) > 1 and azp is None:
        raise WrongAudience("the token has several audiences and no azp")
    if azp is not None and azp != client_id:
        raise WrongAudience(f"azp {azp!r} is not this tool's client id")
