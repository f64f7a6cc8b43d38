"""Names and Role Provisioning Services 2.0 client: every member of a context, across pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import claims as c
from .ags import authorized_call
from .config import PlatformConfig
from .errors import BadServiceResponse
from .messages import NrpsEndpoint, optional_text
from .roles import CourseRole, course_role
from .tokens import TokenClient
from .transport import HttpClient, json_body, next_link

MAX_PAGES = 200
STATUSES = ("Active", "Inactive", "Deleted")


@dataclass(frozen=True)
class Member:
    """One member of the context as the platform lists them."""

    user_id: str
    roles: tuple[str, ...]
    course_role: CourseRole | None
    status: str = "Active"
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None

    @property
    def active(self) -> bool:
        """Whether the member is still active in the context."""
        return self.status == "Active"


@dataclass(frozen=True)
class Membership:
    """A context and all of its members."""

    context_id: str | None
    context_title: str | None
    members: tuple[Member, ...]


def read_member(body: Any) -> Member:
    """Read one member entry; raises BadServiceResponse when user_id or roles is missing."""
    if not isinstance(body, dict) or not isinstance(body.get("user_id"), str | int):
        raise BadServiceResponse(f"not a member: {str(body)[:200]}")
    roles = body.get("roles")
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise BadServiceResponse(f"member {body['user_id']} has no list of roles")
    status = body.get("status", "Active")
    if status not in STATUSES:
        raise BadServiceResponse(f"member {body['user_id']} has unknown status {status!r}")
    return Member(
        user_id=str(body["user_id"]),
        roles=tuple(roles),
        course_role=course_role(roles),
        status=status,
        name=optional_text(body.get("name")),
        given_name=optional_text(body.get("given_name")),
        family_name=optional_text(body.get("family_name")),
        email=optional_text(body.get("email")),
    )


class NrpsClient:
    """Reads a context's membership for one platform registration."""

    def __init__(self, http: HttpClient, tokens: TokenClient, platform: PlatformConfig) -> None:
        self.http = http
        self.tokens = tokens
        self.platform = platform

    def membership(self, endpoint: NrpsEndpoint) -> Membership:
        """All members on all pages (following Link: rel=next); raises ServiceError."""
        url: str | None = endpoint.context_memberships_url
        seen: set[str] = set()
        members: list[Member] = []
        context: dict[str, Any] = {}
        for _ in range(MAX_PAGES):
            if url is None or url in seen:
                break
            seen.add(url)
            response = authorized_call(
                self.http, self.tokens, self.platform, (c.SCOPE_NRPS,), "GET", url, c.MEDIA_MEMBERSHIP
            )
            body = json_body(response)
            if not isinstance(body, dict) or not isinstance(body.get("members"), list):
                raise BadServiceResponse(f"membership page {url} has no members list")
            if isinstance(body.get("context"), dict):
                context = body["context"]
            members.extend(read_member(member) for member in body["members"])
            url = next_link(response)
        return Membership(
            context_id=str(context["id"]) if context.get("id") is not None else None,
            context_title=context.get("title") or None,
            members=tuple(members),
        )
