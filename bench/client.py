"""A small HTTP client (cookies, forms, no automatic redirects) and the form filling of the quiz.

Shared by the benchmark and scripts/security_fixture.py; the paths it requests are in bench/urls.py.
"""

from __future__ import annotations

import http.client
import re
import socket
import urllib.parse
from dataclasses import dataclass
from html.parser import HTMLParser

from . import urls
from .common import BenchError


def free_port() -> int:
    """Return a loopback TCP port that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Reply:
    """A response: status, headers and the whole body."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def location(self) -> str:
        """The path of the Location header (redirects are never followed)."""
        return urllib.parse.urlsplit(self.headers.get("Location", "")).path

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Client:
    """One browser session against host:port: keeps cookies, sends forms, follows no redirect."""

    def __init__(self, port: int, host: str = "127.0.0.1"):
        self.host = host
        self.port = port
        self.cookies: dict[str, str] = {}

    @classmethod
    def for_url(cls, base: str, cookie: str | None = None) -> Client:
        """A client for http://host:port, optionally holding a "name=value" cookie signed in earlier."""
        parts = urllib.parse.urlsplit(base)
        client = cls(parts.port or 80, parts.hostname or "127.0.0.1")
        if cookie:
            name, _, value = cookie.partition("=")
            client.cookies[name.strip()] = value.strip()
        return client

    def csrf_token(self, path: str) -> str:
        """GET a page and return its form's CSRF token; raise BenchError if it has none."""
        page = self.request("GET", path)
        if page.status != 200:
            raise BenchError(f"GET {path} answered {page.status}")
        return FormFields(page.body).csrf_token()

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method: str, path: str, form: list[tuple[str, str]] | None = None) -> Reply:
        headers = {"User-Agent": "lms-bench"}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = self.cookie_header
        connection = http.client.HTTPConnection(self.host, self.port, timeout=300)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            reply = Reply(response.status, response.headers, response.read())
        finally:
            connection.close()
        for cookie in reply.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value, attributes = rest.split(";", 1)[0], rest.lower()
            if not value or "max-age=0" in attributes or "01 jan 1970" in attributes:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return reply


class FormFields(HTMLParser):
    """The inputs and selects of a page (enough to fill the sign-in and quiz forms)."""

    def __init__(self, page: bytes):
        super().__init__()
        self.inputs: list[dict[str, str]] = []
        self.selects: dict[str, list[str]] = {}
        self._select: str | None = None
        self.feed(page.decode("utf-8", errors="replace"))

    @property
    def questions(self) -> dict[int, list[str]]:
        """The quiz's field names per question number (fields are named q<number> or q<number>-<part>)."""
        grouped: dict[int, list[str]] = {}
        choice_names = [a.get("name", "") for a in self.inputs if a.get("type") in {"radio", "checkbox"}]
        for name in [*choice_names, *self.selects]:
            if found := QUESTION_FIELD.match(name):
                names = grouped.setdefault(int(found.group(1)), [])
                if name not in names:
                    names.append(name)
        return dict(sorted(grouped.items()))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "input":
            self.inputs.append(attributes)
        elif tag == "select":
            self._select = attributes.get("name", "")
            self.selects[self._select] = []
        elif tag == "option" and self._select is not None:
            self.selects[self._select].append(attributes.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None

    def csrf_token(self, required: bool = True) -> str | None:
        for attributes in self.inputs:
            if attributes.get("name") == "csrf_token":
                return attributes.get("value", "")
        if required:
            raise BenchError("no csrf_token on the page")
        return None  # CSRF protection off (the in-process statement count)


QUESTION_FIELD = re.compile(r"^q(\d+)(?:-.+)?$")


def quiz_answers(page: bytes, skip: int | None = None) -> list[tuple[str, str]]:
    """A valid answer set for an attempt page, with its CSRF token if it has one: the first option of
    each choice question, distinct positions for ordering items, distinct matches for matching terms.
    Question number `skip` is left unanswered (so the form cannot be submitted)."""
    fields = FormFields(page)
    token = fields.csrf_token(required=False)
    answers = [("csrf_token", token)] if token is not None else []
    if not fields.questions:
        raise BenchError("the attempt page has no questions")

    def skipped(name: str) -> bool:
        return skip is not None and QUESTION_FIELD.match(name).group(1) == str(skip)

    answered: set[str] = set()
    for attributes in fields.inputs:
        name = attributes.get("name", "")
        if QUESTION_FIELD.match(name) and attributes.get("type") in {"radio", "checkbox"} and name not in answered:
            answered.add(name)
            if not skipped(name):
                answers.append((name, attributes.get("value", "")))
    index_in_question: dict[str, int] = {}
    for name, values in fields.selects.items():
        found = QUESTION_FIELD.match(name)
        if not found:
            continue
        index = index_in_question.get(found.group(1), 0)
        index_in_question[found.group(1)] = index + 1
        choices = [value for value in values if value]
        if not skipped(name):
            answers.append((name, choices[index % len(choices)]))
    return answers


def sign_in(port: int, email: str, password: str, host: str = "127.0.0.1") -> Client:
    """Sign in through the real form (CSRF token and all); the client keeps the session cookie."""
    client = Client(port, host)
    form = [("csrf_token", client.csrf_token(urls.SIGN_IN)), ("email", email), ("password", password), ("next", "")]
    reply = client.request("POST", urls.SIGN_IN, form)
    if reply.status != 302 or "session" not in client.cookies:
        raise BenchError(f"signing in as {email} answered {reply.status} (expected 302 with a session cookie)")
    if client.request("GET", urls.OUTLINE).status != 200:  # shows the "Signed in" message once, as a browser would
        raise BenchError(f"GET / after signing in as {email} failed")
    return client
