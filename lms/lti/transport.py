"""Calls to platform services over HTTP, with every failure turned into a retryable or final ServiceError."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from .errors import BadServiceResponse, ServiceRefused, ServiceUnavailable

DEFAULT_TIMEOUT = 10.0


class HttpClient:
    """A thin wrapper over a requests session with a timeout on every call."""

    def __init__(self, session: requests.Session | None = None, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.session = session or requests.Session()
        self.timeout = timeout

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Send one request; raises ServiceUnavailable (timeout, no connection, 5xx, 429) or ServiceRefused (4xx)."""
        try:
            response = self.session.request(
                method, url, headers=dict(headers or {}), json=json, data=data, timeout=self.timeout
            )
        except requests.Timeout as error:
            raise ServiceUnavailable(f"{method} {url} timed out after {self.timeout:g} s") from error
        except requests.RequestException as error:
            raise ServiceUnavailable(f"{method} {url} failed: {error}") from error
        if response.status_code >= 500 or response.status_code == 429:
            raise ServiceUnavailable(
                f"{method} {url} answered {response.status_code}: {excerpt(response)}", status=response.status_code
            )
        if response.status_code >= 400:
            raise ServiceRefused(
                f"{method} {url} answered {response.status_code}: {excerpt(response)}", status=response.status_code
            )
        return response

    def get_json(self, url: str, *, headers: Mapping[str, str] | None = None) -> tuple[Any, requests.Response]:
        """GET a JSON document; raises ServiceError as `request` does, or BadServiceResponse for a non-JSON body."""
        response = self.request("GET", url, headers=headers)
        return json_body(response), response


def json_body(response: requests.Response) -> Any:
    """The response's JSON; raises BadServiceResponse when it is not JSON."""
    try:
        return response.json()
    except ValueError as error:
        raise BadServiceResponse(
            f"{response.request.method} {response.url} did not answer JSON: {excerpt(response)}",
            status=response.status_code,
        ) from error


def next_link(response: requests.Response) -> str | None:
    """The URL of the `Link: <...>; rel="next"` header, or None on the last page."""
    return response.links.get("next", {}).get("url")


def excerpt(response: requests.Response, limit: int = 200) -> str:
    """The start of a response body, for error messages."""
    text = response.text.strip().replace("\n", " ")
    return text[:limit] + ("..." if len(text) > limit else "")
