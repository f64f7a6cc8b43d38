"""The Canvas developer-key JSON configuration (served at /lti/config.json)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import claims as c
from .config import ToolConfig

CANVAS_PLATFORM = "canvas.instructure.com"


def canvas_configuration(tool: ToolConfig, *, custom_fields: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The JSON a Canvas administrator pastes (or points to) when making an LTI 1.3 developer key."""
    deep_link = {"message_type": c.DEEP_LINKING_REQUEST, "target_link_uri": tool.deep_link_url, "text": tool.title}
    if tool.icon_url:
        deep_link["icon_url"] = tool.icon_url
    placements = [
        {"placement": placement, **deep_link}
        for placement in ("link_selection", "assignment_selection", "editor_button")
    ]
    placements.append(
        {
            "placement": "course_navigation",
            "message_type": c.RESOURCE_LINK_REQUEST,
            "target_link_uri": tool.launch_url,
            "text": tool.title,
            "default": "disabled",
        }
    )
    settings: dict[str, Any] = {"text": tool.title, "placements": placements}
    if tool.icon_url:
        settings["icon_url"] = tool.icon_url
    return {
        "title": tool.title,
        "description": tool.description or tool.title,
        "oidc_initiation_url": tool.login_url,
        "target_link_uri": tool.launch_url,
        "public_jwk_url": tool.jwks_url,
        "scopes": list(c.TOOL_SCOPES),
        "custom_fields": dict(custom_fields or {}),
        "extensions": [
            {
                "platform": CANVAS_PLATFORM,
                "domain": tool.domain,
                "tool_id": tool.domain,
                "privacy_level": "public",
                "settings": settings,
            }
        ],
    }
