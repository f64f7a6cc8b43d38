"""OIDC third-party login initiation: read the platform's login request, redirect to its authorization endpoint."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from .config import PlatformConfig
from .errors import LoginError, UnknownPlatform
from .stores import NonceStore, PlatformLookup

NONCE_TTL = 600


@dataclass(frozen=True)
class LoginRequest:
    """The parameters a platform sends to the tool's login URL (GET query or POST form)."""

    issuer: str
    login_hint: str
    target_link_uri: str
    lti_message_hint: str | None = None
    client_id: str | None = None
    deployment_id: str | None = None
    lti_storage_target: str | None = None


@dataclass(frozen=True)
class AuthRedirect:
    """Where to send the browser, and the state the web layer must keep (cookie) to check at launch."""

    url: str
    state: str
    nonce: str
    platform: PlatformConfig


def parse_login_request(params: Mapping[str, str], tool_url_prefix: str) -> LoginRequest:
    """Read and check a login request; raises LoginError for a missing parameter or a target off this tool."""
    missing = [name for name in ("iss", "login_hint", "target_link_uri") if not params.get(name)]
    if missing:
        raise LoginError(f"login request without {', '.join(missing)}")
    target = params["target_link_uri"]
    if not target.startswith(tool_url_prefix.rstrip("/") + "/"):
        raise LoginError(f"target_link_uri {target!r} is not on this tool ({tool_url_prefix})")
    return LoginRequest(
        issuer=params["iss"],
        login_hint=params["login_hint"],
        target_link_uri=target,
        lti_message_hint=params.get("lti_message_hint") or None,
        client_id=params.get("client_id") or None,
        deployment_id=params.get("lti_deployment_id") or None,
        lti_storage_target=params.get("lti_storage_target") or None,
    )


def authorization_redirect(
    login: LoginRequest,
    platforms: PlatformLookup,
    redirect_uri: str,
    nonces: NonceStore,
    *,
    nonce_ttl: int = NONCE_TTL,
    state_for: Callable[[str], str] | None = None,
) -> AuthRedirect:
    """Build the authentication request with a fresh state and nonce (kept in `nonces`); raises UnknownPlatform.

    `state_for` makes the state from the nonce (a state bound to it); by default the state is random.
    """
    platform = platforms.find(login.issuer, login.client_id)
    if platform is None:
        raise UnknownPlatform(f"no platform registered for issuer {login.issuer!r} and client id {login.client_id!r}")
    nonce = secrets.token_urlsafe(32)
    state = state_for(nonce) if state_for is not None else secrets.token_urlsafe(32)
    nonces.add(nonce, nonce_ttl)
    params = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": redirect_uri,
        "login_hint": login.login_hint,
        "state": state,
        "nonce": nonce,
    }
    if login.lti_message_hint:
        params["lti_message_hint"] = login.lti_message_hint
    separator = "&" if "?" in platform.auth_login_url else "?"
    return AuthRedirect(f"{platform.auth_login_url}{separator}{urlencode(params)}", state, nonce, platform)
