"""LTI Dynamic Registration 1.0: read the platform's OpenID configuration, post the tool's, keep the answer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from . import claims as c
from .config import PlatformConfig, ToolConfig
from .errors import RegistrationError, ServiceError
from .keys import ALGORITHM
from .messages import optional_text
from .transport import HttpClient, json_body

CLOSE_MESSAGE = {"subject": "org.imsglobal.lti.close"}
CLAIMS_WANTED = ("iss", "sub", "name", "given_name", "family_name", "email")
# Every Instructure-hosted Canvas uses one of these issuers whatever its own domain, so its configuration
# URL is never on the issuer's host. Accepting them is safe enough: registration needs a one-time URL from
# an administrator, and launches are matched on issuer and client id, so this registration can only
# ever speak for its own client id.
SHARED_ISSUER_HOSTS = ("canvas.instructure.com", "canvas.beta.instructure.com", "canvas.test.instructure.com")


@dataclass(frozen=True)
class PlatformConfiguration:
    """The parts of a platform's OpenID configuration the tool uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    registration_endpoint: str
    scopes_supported: tuple[str, ...] = ()
    messages_supported: tuple[str, ...] = ()
    product_family_code: str | None = None
    authorization_server: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


def fetch_platform_configuration(http: HttpClient, openid_configuration_url: str) -> PlatformConfiguration:
    """Fetch and check the configuration; raises RegistrationError when it is unusable or its issuer is elsewhere."""
    try:
        body, _ = http.get_json(openid_configuration_url, headers={"Accept": "application/json"})
    except ServiceError as error:
        raise RegistrationError(f"cannot read the platform's OpenID configuration: {error}") from error
    return read_platform_configuration(body, openid_configuration_url)


def read_platform_configuration(body: Any, openid_configuration_url: str) -> PlatformConfiguration:
    """Check an OpenID configuration document; raises RegistrationError listing what is wrong."""
    if not isinstance(body, dict):
        raise RegistrationError("the OpenID configuration is not a JSON object")
    required = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")
    missing = [name for name in required if not isinstance(body.get(name), str) or not body[name]]
    if missing:
        raise RegistrationError(f"the OpenID configuration lacks {', '.join(missing)}")
    # The spec's guard against a configuration that claims another platform's issuer.
    issuer_host, configuration_host = _host(body["issuer"]), _host(openid_configuration_url)
    if issuer_host is None or issuer_host not in (configuration_host, *SHARED_ISSUER_HOSTS):
        raise RegistrationError(
            f"issuer {body['issuer']} is not on the host of the configuration URL {openid_configuration_url}"
        )
    algorithms = _list(body.get("id_token_signing_alg_values_supported")) or [ALGORITHM]
    if ALGORITHM not in algorithms:
        raise RegistrationError(f"the platform does not sign id_tokens with {ALGORITHM}")
    platform = body.get(c.PLATFORM_CONFIGURATION)
    platform = platform if isinstance(platform, dict) else {}
    messages = [m.get("type") for m in _list(platform.get("messages_supported")) if isinstance(m, dict)]
    return PlatformConfiguration(
        issuer=body["issuer"],
        authorization_endpoint=body["authorization_endpoint"],
        token_endpoint=body["token_endpoint"],
        jwks_uri=body["jwks_uri"],
        registration_endpoint=body["registration_endpoint"],
        scopes_supported=tuple(s for s in _list(body.get("scopes_supported")) if isinstance(s, str)),
        messages_supported=tuple(m for m in messages if isinstance(m, str)),
        product_family_code=optional_text(platform.get("product_family_code")),
        authorization_server=optional_text(body.get("authorization_server")),
        raw=body,
    )


def _host(url: str) -> str | None:
    """The host name of a URL, or None when it has none or is not a URL."""
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def _list(value: Any) -> list[Any]:
    """A JSON list, or an empty one for anything else."""
    return value if isinstance(value, list) else []


def tool_registration(
    tool: ToolConfig,
    configuration: PlatformConfiguration,
    *,
    custom_parameters: Mapping[str, str] | None = None,
    scopes: Sequence[str] = c.TOOL_SCOPES,
) -> dict[str, Any]:
    """The registration request: the tool's URLs, the scopes the platform offers, the claims wanted, title and icon."""
    offered = set(configuration.scopes_supported)
    # A platform that lists no scopes is asked for all of them; it grants what it can.
    granted = [scope for scope in scopes if not offered or scope in offered]
    deep_linking: dict[str, Any] = {
        "type": c.DEEP_LINKING_REQUEST,
        "target_link_uri": tool.deep_link_url,
        "label": tool.title,
    }
    if tool.icon_url:
        deep_linking["icon_uri"] = tool.icon_url
    tool_configuration: dict[str, Any] = {
        "domain": tool.domain,
        "target_link_uri": tool.launch_url,
        "claims": list(CLAIMS_WANTED),
        "messages": [deep_linking],
    }
    if tool.description:
        tool_configuration["description"] = tool.description
    if custom_parameters:
        tool_configuration["custom_parameters"] = dict(custom_parameters)
    registration: dict[str, Any] = {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": tool.login_url,
        "redirect_uris": sorted({tool.launch_url, tool.deep_link_url}),
        "client_name": tool.title,
        "jwks_uri": tool.jwks_url,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(granted),
        c.TOOL_CONFIGURATION: tool_configuration,
    }
    if tool.icon_url:
        registration["logo_uri"] = tool.icon_url
    return registration


def register(
    http: HttpClient,
    configuration: PlatformConfiguration,
    registration: Mapping[str, Any],
    registration_token: str | None,
) -> PlatformConfig:
    """Post the registration and return the platform as the tool must store it; raises RegistrationError."""
    headers = {"Accept": "application/json"}
    if registration_token:
        headers["Authorization"] = f"Bearer {registration_token}"
    try:
        response = http.request("POST", configuration.registration_endpoint, headers=headers, json=dict(registration))
        body = json_body(response)
    except ServiceError as error:
        raise RegistrationError(f"the platform refused the registration: {error}") from error
    if not isinstance(body, dict) or not isinstance(body.get("client_id"), str | int) or body["client_id"] == "":
        raise RegistrationError("the registration answer has no client_id")
    answered = body.get(c.TOOL_CONFIGURATION)
    deployment_id = answered.get("deployment_id") if isinstance(answered, dict) else None
    if not isinstance(deployment_id, str | int) or isinstance(deployment_id, bool):
        # Some platforms make the deployment later, when an administrator installs the tool somewhere.
        deployment_id = None
    return PlatformConfig(
        issuer=configuration.issuer,
        client_id=str(body["client_id"]),
        auth_login_url=configuration.authorization_endpoint,
        auth_token_url=configuration.token_endpoint,
        jwks_url=configuration.jwks_uri,
        deployment_ids=frozenset({str(deployment_id)}) if deployment_id not in (None, "") else frozenset(),
        token_audience=configuration.authorization_server,
    )
