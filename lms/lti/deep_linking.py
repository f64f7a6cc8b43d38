"""Deep Linking 2.0 response: the signed JWT of chosen resource links and the form that posts it back."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jwt

from . import claims as c
from .errors import DeepLinkingError
from .keys import ALGORITHM, ToolKey
from .messages import LaunchMessage

RESPONSE_LIFETIME = 600
RESOURCE_LINK_TYPE = "ltiResourceLink"


@dataclass(frozen=True)
class LineItemSpec:
    """The gradebook column the platform should create with a link."""

    label: str
    resource_id: str
    score_maximum: float = 100
    tag: str | None = None


@dataclass(frozen=True)
class ResourceLinkItem:
    """One LtiResourceLink content item."""

    title: str
    url: str
    custom: Mapping[str, str] = field(default_factory=dict)
    line_item: LineItemSpec | None = None
    text: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The content item as Deep Linking 2.0 spells it."""
        item: dict[str, Any] = {"type": RESOURCE_LINK_TYPE, "title": self.title, "url": self.url}
        if self.text:
            item["text"] = self.text
        if self.custom:
            item["custom"] = dict(self.custom)
        if self.line_item is not None:
            line_item: dict[str, Any] = {
                "scoreMaximum": self.line_item.score_maximum,
                "label": self.line_item.label,
                "resourceId": self.line_item.resource_id,
            }
            if self.line_item.tag:
                line_item["tag"] = self.line_item.tag
            item["lineItem"] = line_item
        return item


@dataclass(frozen=True)
class AutoSubmitForm:
    """An HTML form the browser posts at once: where to, and which fields."""

    action: str
    fields: Mapping[str, str]


def response_jwt(
    request: LaunchMessage,
    items: Sequence[ResourceLinkItem],
    tool_key: ToolKey,
    *,
    message: str | None = None,
    clock: Callable[[], float] = time.time,
) -> str:
    """Sign the LtiDeepLinkingResponse for a deep-linking request; raises DeepLinkingError if its settings forbid it."""
    settings = request.deep_linking
    if request.message_type != c.DEEP_LINKING_REQUEST or settings is None:
        raise DeepLinkingError(f"a {request.message_type} is not a deep-linking request")
    if items and RESOURCE_LINK_TYPE not in settings.accept_types:
        raise DeepLinkingError(f"the platform accepts {settings.accept_types}, not {RESOURCE_LINK_TYPE}")
    if len(items) > 1 and not settings.accept_multiple:
        raise DeepLinkingError("the platform accepts one item here, not several")
    now = int(clock())
    payload: dict[str, Any] = {
        "iss": request.client_id,
        "aud": request.issuer,
        "azp": request.client_id,
        "iat": now,
        "exp": now + RESPONSE_LIFETIME,
        "nonce": secrets.token_urlsafe(24),
        c.MESSAGE_TYPE: c.DEEP_LINKING_RESPONSE,
        c.VERSION: c.LTI_VERSION,
        c.DEPLOYMENT_ID: request.deployment_id,
        c.DL_CONTENT_ITEMS: [item.to_json() for item in items],
    }
    if settings.data is not None:
        payload[c.DL_DATA] = settings.data
    if message:
        payload[c.DL_MESSAGE] = message
    return jwt.encode(payload, tool_key.private_key, algorithm=ALGORITHM, headers={"kid": tool_key.kid})


def response_form(request: LaunchMessage, token: str) -> AutoSubmitForm:
    """The auto-submitting form that returns the signed response to the platform's deep-link return URL."""
    if request.deep_linking is None:
        raise DeepLinkingError(f"a {request.message_type} is not a deep-linking request")
    return AutoSubmitForm(action=request.deep_linking.return_url, fields={"JWT": token})
