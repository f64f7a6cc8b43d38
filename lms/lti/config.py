"""What the tool knows about a platform it is registered with, and about itself."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PlatformConfig:
    """One registration of the tool in a platform: issuer, client id, deployments and endpoints."""

    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    jwks_url: str
    deployment_ids: frozenset[str] = field(default_factory=frozenset)
    # Some platforms (Brightspace) want their own audience in the client assertion, not the token URL.
    token_audience: str | None = None

    @property
    def assertion_audience(self) -> str:
        """The `aud` of the tool's client assertion at this platform's token endpoint."""
        return self.token_audience or self.auth_token_url


@dataclass(frozen=True)
class ToolConfig:
    """The tool's public face: its title and the URLs platforms call."""

    title: str
    description: str
    login_url: str
    launch_url: str
    jwks_url: str
    deep_link_url: str
    icon_url: str | None = None

    @classmethod
    def at(cls, base_url: str, title: str, description: str = "", icon_url: str | None = None) -> ToolConfig:
        """The tool served at `base_url` with the standard /lti/... routes."""
        base = base_url.rstrip("/")
        return cls(
            title=title,
            description=description,
            login_url=f"{base}/lti/login",
            launch_url=f"{base}/lti/launch",
            jwks_url=f"{base}/lti/jwks.json",
            deep_link_url=f"{base}/lti/launch",
            icon_url=icon_url,
        )

    @property
    def domain(self) -> str:
        """The host (and port) the tool's launch URL is on."""
        return self.launch_url.split("://", 1)[-1].split("/", 1)[0]
