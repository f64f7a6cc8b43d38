"""Fixtures for the LTI tests: a running test platform, the tool's JWKS over HTTP, protocol objects on memory stores."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from flask import Flask, jsonify

from lms.lti.config import ToolConfig
from lms.lti.jwks import PlatformKeys
from lms.lti.keys import KeySet, ToolKey
from lms.lti.launch import LaunchValidator
from lms.lti.stores import CacheNonceStore, MemoryCache, PlatformList
from lms.lti.tokens import TokenClient
from lms.lti.transport import HttpClient

from .platform import Platform, create_app, serve


@pytest.fixture(scope="session")
def platform_key() -> ToolKey:
    """The platform's first signing key (RSA generation is slow, so once per run)."""
    return ToolKey.generate()


@pytest.fixture(scope="session")
def tool_key() -> ToolKey:
    """The tool's signing key."""
    return ToolKey.generate()


@dataclass
class ToolSite:
    """The tool's public side as far as platforms reach it here: its JWKS URL, serving the current key set."""

    keyset: KeySet
    config: ToolConfig


@pytest.fixture
def tool(tool_key: ToolKey) -> Iterator[ToolSite]:
    """The tool's JWKS served over HTTP on its own port, with the tool's URLs under the same base."""
    app = Flask("test_tool")
    site = ToolSite(KeySet(tool_key), ToolConfig.at("http://127.0.0.1", "Office Manager Academy"))

    @app.get("/lti/jwks.json")
    def jwks():
        """The tool's JWKS."""
        return jsonify(site.keyset.jwks(datetime.now(UTC)))

    with serve(app) as base_url:
        site.config = ToolConfig.at(base_url, "Office Manager Academy", "Become a medical office manager.")
        yield site


@pytest.fixture
def platform(platform_key: ToolKey, tool: ToolSite) -> Iterator[Platform]:
    """A running platform that knows the tool's launch URL and JWKS URL, as after a manual registration."""
    state = Platform(keys=[platform_key])
    state.tool_jwks_url = tool.config.jwks_url
    state.redirect_uris = {tool.config.launch_url}
    state.tool_login_url = tool.config.login_url
    with serve(create_app(state)) as base_url:
        state.base_url = base_url
        yield state


@pytest.fixture
def http() -> HttpClient:
    """An HTTP client with a short timeout."""
    return HttpClient(timeout=3)


@pytest.fixture
def cache() -> MemoryCache:
    """A fresh in-memory cache."""
    return MemoryCache()


@pytest.fixture
def nonces(cache: MemoryCache) -> CacheNonceStore:
    """Nonces kept in the cache."""
    return CacheNonceStore(cache)


@pytest.fixture
def validator(platform: Platform, http: HttpClient, cache: MemoryCache, nonces: CacheNonceStore) -> LaunchValidator:
    """A launch validator that knows the test platform."""
    return LaunchValidator(PlatformList([platform.config()]), PlatformKeys(http, cache), nonces)


@pytest.fixture
def tokens(http: HttpClient, cache: MemoryCache, tool: ToolSite) -> TokenClient:
    """The tool's access-token client."""
    return TokenClient(http, cache, tool.keyset.current)


@pytest.fixture
def issue_nonce(nonces: CacheNonceStore):
    """Issue a nonce as the login step does, and return it."""

    def issue(value: str = "") -> str:
        nonce = value or secrets.token_urlsafe(16)
        nonces.add(nonce, 600)
        return nonce

    return issue
