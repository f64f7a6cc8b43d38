"""The tool's side of the OIDC launch flow, driven against the test platform as a browser would."""

from __future__ import annotations

from html.parser import HTMLParser

import requests

from lms.lti.login import authorization_redirect, parse_login_request
from lms.lti.stores import PlatformList


class FormReader(HTMLParser):
    """Reads the action and hidden fields of the auto-posting form a platform answers."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self.action = values.get("action") or ""
        elif tag == "input" and values.get("name"):
            self.fields[values["name"] or ""] = values.get("value") or ""


class FrameReader(HTMLParser):
    """Reads the src of the first iframe of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.src = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "iframe" and not self.src:
            self.src = dict(attrs).get("src") or ""


def oidc_launch(platform, tool, nonces, message_hint="launch"):
    """Run login initiation and the platform's authorization step; return the redirect and the posted form."""
    target = tool.config.launch_url
    login = parse_login_request(platform.login_params(target, message_hint=message_hint), tool_base(tool))
    redirect = authorization_redirect(login, PlatformList([platform.config()]), tool.config.launch_url, nonces)
    answer = requests.get(redirect.url, timeout=5)
    assert answer.status_code == 200, answer.text
    form = FormReader()
    form.feed(answer.text)
    assert form.action == tool.config.launch_url
    return redirect, form.fields


def tool_base(tool) -> str:
    """The tool's base URL (the launch URL without /lti/launch)."""
    return tool.config.launch_url.removesuffix("/lti/launch")
