"""The typed content of a validated launch, read from its claims."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import claims as c
from .errors import MissingClaim
from .roles import CourseRole, course_role


@dataclass(frozen=True)
class AgsEndpoint:
    """The Assignment and Grade Services claim: granted scopes and line item URLs."""

    scopes: tuple[str, ...]
    lineitems_url: str | None
    lineitem_url: str | None


@dataclass(frozen=True)
class NrpsEndpoint:
    """The Names and Role Provisioning Services claim."""

    context_memberships_url: str
    service_versions: tuple[str, ...]


@dataclass(frozen=True)
class DeepLinkingSettings:
    """What the platform accepts back from a deep-linking request."""

    return_url: str
    accept_types: tuple[str, ...]
    accept_multiple: bool
    data: str | None = None
    title: str | None = None
    text: str | None = None
    accept_presentation_document_targets: tuple[str, ...] = ()
    auto_create: bool = False


@dataclass(frozen=True)
class LaunchMessage:
    """A launch that passed every check, with what the tool needs from it."""

    message_type: str
    issuer: str
    client_id: str
    deployment_id: str
    subject: str
    roles: tuple[str, ...]
    course_role: CourseRole | None
    target_link_uri: str | None
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    context_id: str | None = None
    context_title: str | None = None
    context_label: str | None = None
    resource_link_id: str | None = None
    resource_link_title: str | None = None
    custom: Mapping[str, str] = field(default_factory=dict)
    ags: AgsEndpoint | None = None
    nrps: NrpsEndpoint | None = None
    deep_linking: DeepLinkingSettings | None = None
    return_url: str | None = None
    document_target: str | None = None
    platform_product: str | None = None
    claims: Mapping[str, Any] = field(default_factory=dict, repr=False)


def _object(claims: Mapping[str, Any], name: str, *, required: bool = False) -> dict[str, Any] | None:
    """A claim that must be a JSON object when present; raises MissingClaim."""
    value = claims.get(name)
    if value is None:
        if required:
            raise MissingClaim(f"claim {name} is missing")
        return None
    if not isinstance(value, dict):
        raise MissingClaim(f"claim {name} must be an object")
    return value


def optional_text(value: Any) -> str | None:
    """A non-empty string, or None for anything else, for service fields platforms may leave out or blank."""
    return value if isinstance(value, str) and value else None


def _text(value: Any, name: str, *, required: bool = False) -> str | None:
    """A string value, or None when absent; raises MissingClaim when required or of the wrong type."""
    if value is None or value == "":
        if required:
            raise MissingClaim(f"claim {name} is missing")
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise MissingClaim(f"claim {name} must be a string")
    return str(value)


def _strings(value: Any, name: str, *, required: bool = False) -> tuple[str, ...]:
    """A list of strings; raises MissingClaim when required and absent, or not a list of strings."""
    if value is None:
        if required:
            raise MissingClaim(f"claim {name} is missing")
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise MissingClaim(f"claim {name} must be a list of strings")
    return tuple(value)


def _ags(claims: Mapping[str, Any]) -> AgsEndpoint | None:
    """The AGS endpoint claim, when the platform sent one."""
    value = _object(claims, c.AGS_ENDPOINT)
    if value is None:
        return None
    return AgsEndpoint(
        scopes=_strings(value.get("scope"), c.AGS_ENDPOINT + ".scope"),
        lineitems_url=_text(value.get("lineitems"), c.AGS_ENDPOINT + ".lineitems"),
        lineitem_url=_text(value.get("lineitem"), c.AGS_ENDPOINT + ".lineitem"),
    )


def _nrps(claims: Mapping[str, Any]) -> NrpsEndpoint | None:
    """The NRPS claim, when the platform sent one."""
    value = _object(claims, c.NRPS)
    if value is None:
        return None
    url = _text(value.get("context_memberships_url"), c.NRPS + ".context_memberships_url", required=True)
    versions = _strings(value.get("service_versions"), c.NRPS + ".service_versions")
    return NrpsEndpoint(context_memberships_url=url or "", service_versions=versions)


def _deep_linking(claims: Mapping[str, Any]) -> DeepLinkingSettings:
    """The deep-linking settings claim, required in a deep-linking request."""
    value = _object(claims, c.DEEP_LINKING_SETTINGS, required=True) or {}
    name = c.DEEP_LINKING_SETTINGS
    return DeepLinkingSettings(
        return_url=_text(value.get("deep_link_return_url"), name + ".deep_link_return_url", required=True) or "",
        accept_types=_strings(value.get("accept_types"), name + ".accept_types", required=True),
        accept_multiple=value.get("accept_multiple", True) is not False,
        data=_text(value.get("data"), name + ".data"),
        title=_text(value.get("title"), name + ".title"),
        text=_text(value.get("text"), name + ".text"),
        accept_presentation_document_targets=_strings(
            value.get("accept_presentation_document_targets"), name + ".accept_presentation_document_targets"
        ),
        auto_create=value.get("auto_create") is True,
    )


def read_message(claims: Mapping[str, Any], client_id: str) -> LaunchMessage:
    """Build the typed message from verified claims; raises MissingClaim for an absent or ill-formed claim."""
    message_type = claims[c.MESSAGE_TYPE]
    roles = _strings(claims.get(c.ROLES), c.ROLES, required=True)
    context = _object(claims, c.CONTEXT) or {}
    presentation = _object(claims, c.LAUNCH_PRESENTATION) or {}
    platform = _object(claims, c.TOOL_PLATFORM) or {}
    custom = _object(claims, c.CUSTOM) or {}
    resource_link = _object(claims, c.RESOURCE_LINK, required=message_type == c.RESOURCE_LINK_REQUEST) or {}
    is_launch = message_type == c.RESOURCE_LINK_REQUEST
    return LaunchMessage(
        message_type=message_type,
        issuer=claims["iss"],
        client_id=client_id,
        deployment_id=claims[c.DEPLOYMENT_ID],
        subject=_text(claims.get("sub"), "sub", required=True) or "",
        roles=roles,
        course_role=course_role(roles),
        target_link_uri=_text(claims.get(c.TARGET_LINK_URI), c.TARGET_LINK_URI, required=is_launch),
        name=_text(claims.get("name"), "name"),
        given_name=_text(claims.get("given_name"), "given_name"),
        family_name=_text(claims.get("family_name"), "family_name"),
        email=_text(claims.get("email"), "email"),
        context_id=_text(context.get("id"), c.CONTEXT + ".id", required=bool(context)),
        context_title=_text(context.get("title"), c.CONTEXT + ".title"),
        context_label=_text(context.get("label"), c.CONTEXT + ".label"),
        resource_link_id=_text(resource_link.get("id"), c.RESOURCE_LINK + ".id", required=is_launch),
        resource_link_title=_text(resource_link.get("title"), c.RESOURCE_LINK + ".title"),
        custom={str(key): str(value) for key, value in custom.items()},
        ags=_ags(claims),
        nrps=_nrps(claims),
        deep_linking=_deep_linking(claims) if message_type == c.DEEP_LINKING_REQUEST else None,
        return_url=_text(presentation.get("return_url"), c.LAUNCH_PRESENTATION + ".return_url"),
        document_target=_text(presentation.get("document_target"), c.LAUNCH_PRESENTATION + ".document_target"),
        platform_product=_text(platform.get("product_family_code"), c.TOOL_PLATFORM + ".product_family_code"),
        claims=dict(claims),
    )
