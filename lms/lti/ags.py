"""Assignment and Grade Services 2.0 client: line items (list, create) and scores."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests

from . import claims as c
from .config import PlatformConfig
from .errors import BadServiceResponse, ServiceRefused
from .messages import AgsEndpoint, optional_text
from .tokens import TokenClient
from .transport import HttpClient, json_body, next_link

ACTIVITY_PROGRESS = ("Initialized", "Started", "InProgress", "Submitted", "Completed")
GRADING_PROGRESS = ("FullyGraded", "Pending", "PendingManual", "Failed", "NotReady")
MAX_PAGES = 100


@dataclass(frozen=True)
class LineItem:
    """A gradebook column in the platform; `id` is its URL once the platform has it."""

    label: str
    score_maximum: float
    resource_id: str | None = None
    tag: str | None = None
    resource_link_id: str | None = None
    id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The line item as the AGS media type spells it."""
        body: dict[str, Any] = {"label": self.label, "scoreMaximum": self.score_maximum}
        for name, value in (
            ("resourceId", self.resource_id),
            ("tag", self.tag),
            ("resourceLinkId", self.resource_link_id),
        ):
            if value:
                body[name] = value
        return body

    @classmethod
    def from_json(cls, body: Any) -> LineItem:
        """Read a line item from the platform; raises BadServiceResponse when id, label or scoreMaximum is missing."""
        if not isinstance(body, dict) or not isinstance(body.get("id"), str) or not isinstance(body.get("label"), str):
            raise BadServiceResponse(f"not a line item: {str(body)[:200]}")
        maximum = body.get("scoreMaximum")
        if not isinstance(maximum, int | float) or isinstance(maximum, bool):
            raise BadServiceResponse(f"line item {body['id']} has no numeric scoreMaximum")
        return cls(
            label=body["label"],
            score_maximum=maximum,
            resource_id=optional_text(body.get("resourceId")),
            tag=optional_text(body.get("tag")),
            resource_link_id=optional_text(body.get("resourceLinkId")),
            id=body["id"],
        )


@dataclass(frozen=True)
class Score:
    """One learner's result on a line item at one moment."""

    user_id: str
    score_given: float | None
    score_maximum: float
    activity_progress: str
    grading_progress: str
    timestamp: datetime
    comment: str | None = None

    def __post_init__(self) -> None:
        if self.activity_progress not in ACTIVITY_PROGRESS:
            raise ValueError(f"activityProgress must be one of {ACTIVITY_PROGRESS}")
        if self.grading_progress not in GRADING_PROGRESS:
            raise ValueError(f"gradingProgress must be one of {GRADING_PROGRESS}")
        if self.timestamp.tzinfo is None:
            raise ValueError("a score's timestamp must carry its time zone")
        if self.score_maximum <= 0:
            raise ValueError("scoreMaximum must be positive")
        if self.score_given is not None and self.score_given < 0:
            raise ValueError("scoreGiven must not be negative")

    def to_json(self) -> dict[str, Any]:
        """The score as the AGS score media type spells it."""
        body: dict[str, Any] = {
            "userId": self.user_id,
            "scoreMaximum": self.score_maximum,
            "activityProgress": self.activity_progress,
            "gradingProgress": self.grading_progress,
            "timestamp": self.timestamp.isoformat(timespec="milliseconds"),
        }
        if self.score_given is not None:
            body["scoreGiven"] = self.score_given
        if self.comment:
            body["comment"] = self.comment
        return body


def scores_url(line_item_url: str) -> str:
    """The score endpoint of a line item: its URL with /scores added to the path, query kept."""
    parts = urlsplit(line_item_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


class AgsClient:
    """Talks to one context's line item container on behalf of one platform registration."""

    def __init__(self, http: HttpClient, tokens: TokenClient, platform: PlatformConfig, endpoint: AgsEndpoint) -> None:
        self.http = http
        self.tokens = tokens
        self.platform = platform
        self.endpoint = endpoint

    def line_items(
        self, *, resource_link_id: str | None = None, resource_id: str | None = None, tag: str | None = None
    ) -> list[LineItem]:
        """Every line item in the container (all pages), filtered as asked; raises ServiceError."""
        read_scope = (
            c.SCOPE_LINEITEM_READONLY if c.SCOPE_LINEITEM_READONLY in self.endpoint.scopes else c.SCOPE_LINEITEM
        )
        filters = {"resource_link_id": resource_link_id, "resource_id": resource_id, "tag": tag}
        query = urlencode({name: value for name, value in filters.items() if value})
        url: str | None = _with_query(self._container(), query)
        items: list[LineItem] = []
        for _ in range(MAX_PAGES):
            if url is None:
                break
            response = self._call("GET", url, read_scope, accept=c.MEDIA_LINEITEMS)
            body = json_body(response)
            if not isinstance(body, list):
                raise BadServiceResponse(f"line item container {url} did not answer a list")
            items.extend(LineItem.from_json(item) for item in body)
            url = next_link(response)
        return items

    def create_line_item(self, item: LineItem) -> LineItem:
        """Create a line item in the container and return it with its id; raises ServiceError."""
        response = self._call(
            "POST",
            self._container(),
            c.SCOPE_LINEITEM,
            accept=c.MEDIA_LINEITEM,
            body=item.to_json(),
            media=c.MEDIA_LINEITEM,
        )
        return LineItem.from_json(json_body(response))

    def ensure_line_item(self, item: LineItem) -> LineItem:
        """The container's line item with this resource id and tag, created when there is none; raises ServiceError."""
        for existing in self.line_items(resource_id=item.resource_id, tag=item.tag):
            if existing.resource_id == item.resource_id and existing.tag == item.tag:
                return existing
        return self.create_line_item(item)

    def post_score(self, line_item_url: str, score: Score) -> None:
        """Publish a score to a line item; raises ServiceUnavailable (retry later) or ServiceRefused."""
        self._call("POST", scores_url(line_item_url), c.SCOPE_SCORE, body=score.to_json(), media=c.MEDIA_SCORE)

    def _container(self) -> str:
        """The line item container URL; raises ServiceRefused when the launch carried none."""
        if not self.endpoint.lineitems_url:
            raise ServiceRefused("the platform gave no line item container for this context")
        return self.endpoint.lineitems_url

    def _call(
        self,
        method: str,
        url: str,
        scope: str,
        *,
        accept: str = "application/json",
        body: Mapping[str, Any] | None = None,
        media: str | None = None,
    ) -> requests.Response:
        """One authorized call; a 401 with a cached token gets one retry with a fresh token."""
        if scope not in self.endpoint.scopes:
            raise ServiceRefused(f"the platform did not grant the scope {scope}")
        return authorized_call(self.http, self.tokens, self.platform, (scope,), method, url, accept, body, media)


def authorized_call(
    http: HttpClient,
    tokens: TokenClient,
    platform: PlatformConfig,
    scopes: tuple[str, ...],
    method: str,
    url: str,
    accept: str,
    body: Mapping[str, Any] | None = None,
    media: str | None = None,
) -> requests.Response:
    """Call a platform service with a bearer token, refreshing the token once if the platform answers 401."""

    def send() -> requests.Response:
        headers = {"Authorization": f"Bearer {tokens.token(platform, scopes)}", "Accept": accept}
        if media:
            headers["Content-Type"] = media
        return http.request(method, url, headers=headers, json=body)

    try:
        return send()
    except ServiceRefused as error:
        if error.status != 401:
            raise
        tokens.forget(platform, scopes)
        return send()


def _with_query(url: str, query: str) -> str:
    """A URL with more query parameters added."""
    if not query:
        return url
    return f"{url}{'&' if '?' in url else '?'}{query}"
