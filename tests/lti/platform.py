"""A real LTI 1.3 platform for tests, playing Moodle over HTTP on a loopback port with its own RSA key."""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from flask import Flask, Response, abort, jsonify, request
from werkzeug.serving import WSGIRequestHandler, make_server

from lms.lti import claims as c
from lms.lti.config import PlatformConfig
from lms.lti.keys import ToolKey
from lms.lti.roles import MEMBERSHIP

LINE_ITEM_PAGE = 2
STORAGE_FRAME = "lti_storage_frame"

# The platform's side of the LTI client-side postMessages: capabilities, and put/get kept per origin.
CAPABILITIES_SCRIPT = """
window.platformMessages = [];
window.addEventListener("message", function (event) {
  var m = event.data || {};
  if (m.subject !== "lti.capabilities" || !m.message_id) { return; }
  window.platformMessages.push(m.subject);
  var frame = "FRAME" || undefined;
  event.source.postMessage({
    subject: "lti.capabilities.response", message_id: m.message_id,
    supported_messages: [{subject: "lti.capabilities"}, {subject: "lti.put_data", frame: frame},
                         {subject: "lti.get_data", frame: frame}]
  }, event.origin);
});
"""
STORAGE_SCRIPT = """
window.platformStorage = {};
window.addEventListener("message", function (event) {
  var m = event.data || {};
  if ((m.subject !== "lti.put_data" && m.subject !== "lti.get_data") || !m.message_id) { return; }
  var reply = {subject: m.subject + ".response", message_id: m.message_id, key: m.key};
  var slot = event.origin + " " + m.key;
  if (typeof m.key !== "string" || !m.key) {
    reply.error = {code: "bad_request", message: "a key is required"};
  } else if (m.subject === "lti.put_data") {
    window.platformStorage[slot] = m.value;
    reply.value = m.value;
  } else if (Object.prototype.hasOwnProperty.call(window.platformStorage, slot)) {
    reply.value = window.platformStorage[slot];
  } else {
    reply.error = {code: "bad_request", message: "no value for this key"};
  }
  event.source.postMessage(reply, event.origin);
});
"""


class QuietHandler(WSGIRequestHandler):
    """A request handler that keeps the test output free of access logs."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log nothing."""


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Run a WSGI app on a free loopback port in a thread; yields its base URL, stops it after."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    # A short poll interval lets shutdown() return at once instead of after the default half second.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class Platform:
    """The platform's state; tests read and change it between requests."""

    keys: list[ToolKey]
    base_url: str = ""
    client_id: str = "tool-client-1"
    deployment_id: str = "deployment-1"
    tool_jwks_url: str = ""
    redirect_uris: set[str] = field(default_factory=set)
    registration_token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    down: bool = False
    score_delay: float = 0.0
    token_lifetime: int = 3600
    claimed_issuer: str | None = None
    line_items: dict[str, dict[str, Any]] = field(default_factory=dict)
    scores: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    tokens: dict[str, set[str]] = field(default_factory=dict)
    registrations: list[dict[str, Any]] = field(default_factory=list)
    token_requests: int = 0
    jwks_fetches: int = 0
    retired_kids: set[str] = field(default_factory=set)
    tool_login_url: str = ""
    deep_link_items: list[dict[str, Any]] = field(default_factory=list)
    # Who the authorization endpoint launches, and the link's custom parameters.
    user_sub: str = "learner-1"
    user_roles: tuple[str, ...] = (MEMBERSHIP + "Learner",)
    custom: dict[str, str] = field(default_factory=lambda: {"course_id": "office", "lesson_id": "intro"})
    resource_link_id: str = "link-1"

    @property
    def issuer(self) -> str:
        """The platform's issuer: its base URL, as Moodle does."""
        return self.base_url

    def config(self) -> PlatformConfig:
        """The registration the tool keeps for this platform."""
        return PlatformConfig(
            issuer=self.issuer,
            client_id=self.client_id,
            auth_login_url=f"{self.base_url}/auth",
            auth_token_url=f"{self.base_url}/token",
            jwks_url=f"{self.base_url}/jwks",
            deployment_ids=frozenset({self.deployment_id}),
        )

    def rotate_key(self, *, retire_old: bool = True) -> ToolKey:
        """Sign with a new key from now on; the old one stays published unless `retire_old` is False."""
        new = ToolKey.generate()
        if not retire_old:
            self.retired_kids.update(key.kid for key in self.keys)
        self.keys.append(new)
        return new

    @property
    def signing_key(self) -> ToolKey:
        """The key the platform signs with now."""
        return self.keys[-1]

    def launch_claims(
        self,
        nonce: str,
        *,
        sub: str | None = None,
        roles: Iterable[str] | None = None,
        message_type: str = c.RESOURCE_LINK_REQUEST,
        target_link_uri: str = "https://tool.example/lti/launch",
    ) -> dict[str, Any]:
        """The claims of a correct launch as Moodle sends them."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": sub or self.user_sub,
            "iat": now,
            "exp": now + 60,
            "nonce": nonce,
            "name": "Ada Lovelace",
            "given_name": "Ada",
            "family_name": "Lovelace",
            "email": "ada@example.edu",
            c.MESSAGE_TYPE: message_type,
            c.VERSION: c.LTI_VERSION,
            c.DEPLOYMENT_ID: self.deployment_id,
            c.TARGET_LINK_URI: target_link_uri,
            c.ROLES: list(self.user_roles if roles is None else roles),
            c.CONTEXT: {"id": "course-101", "title": "Medical Office 101", "label": "MO101"},
            c.TOOL_PLATFORM: {"product_family_code": "moodle", "guid": "platform-guid"},
            c.CUSTOM: dict(self.custom),
            c.LAUNCH_PRESENTATION: {"document_target": "iframe", "return_url": f"{self.base_url}/course/101"},
            c.AGS_ENDPOINT: {
                "scope": [c.SCOPE_LINEITEM, c.SCOPE_LINEITEM_READONLY, c.SCOPE_RESULT_READONLY, c.SCOPE_SCORE],
                "lineitems": f"{self.base_url}/lineitems",
                "lineitem": f"{self.base_url}/lineitems/1",
            },
            c.NRPS: {"context_memberships_url": f"{self.base_url}/memberships", "service_versions": ["2.0"]},
        }
        if message_type == c.RESOURCE_LINK_REQUEST:
            claims[c.RESOURCE_LINK] = {"id": self.resource_link_id, "title": "Lesson: intro"}
        else:
            claims[c.DEEP_LINKING_SETTINGS] = {
                "deep_link_return_url": f"{self.base_url}/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": True,
                "data": "opaque-platform-data",
            }
        return claims

    def sign(self, claims: Mapping[str, Any], *, key: ToolKey | None = None, kid: str | None = None) -> str:
        """Sign claims as an id_token with the platform key (or another key, or a chosen kid)."""
        key = key or self.signing_key
        headers = {"kid": kid if kid is not None else key.kid}
        return jwt.encode(dict(claims), key.private_key, algorithm="RS256", headers=headers)

    def launch_jwt(
        self, nonce: str, *, changes: Mapping[str, Any] | None = None, drop: Iterable[str] = (), **options: Any
    ) -> str:
        """A signed launch with chosen claims changed or dropped."""
        claims = self.launch_claims(nonce, **options)
        claims.update(changes or {})
        for name in drop:
            claims.pop(name, None)
        return self.sign(claims)

    def login_params(
        self, target_link_uri: str, *, message_hint: str = "launch", storage_target: str | None = None
    ) -> dict[str, str]:
        """What the platform sends to the tool's login URL to start a launch (with its storage frame, if given)."""
        params = {
            "iss": self.issuer,
            "login_hint": "learner-1",
            "target_link_uri": target_link_uri,
            "lti_message_hint": message_hint,
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
        }
        if storage_target:
            params["lti_storage_target"] = storage_target
        return params

    def configuration(self) -> dict[str, Any]:
        """The OpenID configuration document, as Moodle publishes it."""
        return {
            "issuer": self.claimed_issuer or self.issuer,
            "authorization_endpoint": f"{self.base_url}/auth",
            "token_endpoint": f"{self.base_url}/token",
            "jwks_uri": f"{self.base_url}/jwks",
            "registration_endpoint": f"{self.base_url}/register",
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", *c.TOOL_SCOPES],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public", "pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email"],
            c.PLATFORM_CONFIGURATION: {
                "product_family_code": "moodle",
                "version": "4.5",
                "messages_supported": [{"type": c.RESOURCE_LINK_REQUEST}, {"type": c.DEEP_LINKING_REQUEST}],
            },
        }

    def bearer(self, *scopes: str) -> None:
        """Abort 401 unless the request carries a token this platform issued with one of `scopes`."""
        header = request.headers.get("Authorization", "")
        granted = self.tokens.get(header.removeprefix("Bearer "), set())
        if not header.startswith("Bearer ") or not granted & set(scopes):
            abort(Response("invalid or missing bearer token", status=401))

    def verify_tool_jwt(self, token: str, audience: str, required: Iterable[str]) -> dict[str, Any]:
        """Verify a JWT the tool signed, with its key fetched from the tool's JWKS URL over HTTP."""
        kid = jwt.get_unverified_header(token).get("kid")
        document = requests.get(self.tool_jwks_url, timeout=5).json()
        jwk = next(key for key in document["keys"] if key["kid"] == kid)
        return jwt.decode(
            token,
            jwt.PyJWK(jwk).key,
            algorithms=["RS256"],
            audience=audience,
            issuer=self.client_id,
            options={"require": list(required)},
        )

    def check_client_assertion(self, assertion: str) -> None:
        """Verify the tool's client assertion at the token endpoint; aborts 401."""
        try:
            self.verify_tool_jwt(assertion, f"{self.base_url}/token", ["exp", "iat", "jti", "sub"])
        except (StopIteration, KeyError, ValueError, requests.RequestException, jwt.InvalidTokenError) as error:
            abort(Response(f'{{"error": "invalid_client", "detail": "{error}"}}', status=401))


def create_app(platform: Platform) -> Flask:
    """The platform's HTTP endpoints."""
    app = Flask("test_platform")

    @app.get("/.well-known/openid-configuration")
    def openid_configuration() -> Response:
        """The OpenID configuration."""
        return jsonify(platform.configuration())

    @app.get("/jwks")
    def jwks() -> Response:
        """The platform's public keys, retired ones left out."""
        platform.jwks_fetches += 1
        keys = [key.jwk() for key in platform.keys if key.kid not in platform.retired_kids]
        response = jsonify({"keys": keys})
        response.headers["Cache-Control"] = "max-age=3600"
        return response

    @app.route("/auth", methods=["GET", "POST"])
    def auth() -> Response:
        """The OIDC authorization endpoint: checks the request, answers an auto-posting form with the id_token."""
        params = request.values
        expected = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none"}
        wrong = [name for name, value in expected.items() if params.get(name) != value]
        if params.get("client_id") != platform.client_id:
            wrong.append("client_id")
        if params.get("redirect_uri") not in platform.redirect_uris:
            wrong.append("redirect_uri")
        if params.get("login_hint") != "learner-1" or not params.get("nonce") or not params.get("state"):
            wrong.append("login_hint/nonce/state")
        if wrong:
            return Response(f"invalid authentication request: {', '.join(wrong)}", status=400)
        message_type = c.DEEP_LINKING_REQUEST if params.get("lti_message_hint") == "deep-link" else None
        claims = platform.launch_claims(params["nonce"], message_type=message_type or c.RESOURCE_LINK_REQUEST)
        token = platform.sign(claims)
        page = (
            f'<form method="post" action="{escape(params["redirect_uri"])}">'
            f'<input type="hidden" name="id_token" value="{escape(token)}">'
            f'<input type="hidden" name="state" value="{escape(params["state"])}"></form>'
            "<script>document.forms[0].submit()</script>"
        )
        return Response(page, mimetype="text/html")

    @app.post("/token")
    def token() -> Response:
        """Client credentials with a JWT assertion checked against the tool's JWKS."""
        platform.token_requests += 1
        form = request.form
        if form.get("grant_type") != "client_credentials" or form.get("client_assertion_type") != (
            c.CLIENT_ASSERTION_TYPE
        ):
            return Response('{"error": "unsupported_grant_type"}', status=400, mimetype="application/json")
        platform.check_client_assertion(form.get("client_assertion", ""))
        scopes = set(form.get("scope", "").split()) & set(c.TOOL_SCOPES)
        value = secrets.token_urlsafe(16)
        platform.tokens[value] = scopes
        return jsonify(
            access_token=value, token_type="Bearer", expires_in=platform.token_lifetime, scope=" ".join(sorted(scopes))
        )

    @app.get("/lineitems")
    def list_line_items() -> Response:
        """The line item container, two items a page, filtered by resource_id, tag and resource_link_id."""
        platform.bearer(c.SCOPE_LINEITEM_READONLY, c.SCOPE_LINEITEM)
        filters = {"resourceId": "resource_id", "tag": "tag", "resourceLinkId": "resource_link_id"}
        items = [
            item
            for item in platform.line_items.values()
            if all(request.args.get(arg) in (None, item.get(name)) for name, arg in filters.items())
        ]
        page = int(request.args.get("page", "1"))
        response = jsonify(items[(page - 1) * LINE_ITEM_PAGE : page * LINE_ITEM_PAGE])
        response.mimetype = c.MEDIA_LINEITEMS
        if page * LINE_ITEM_PAGE < len(items):
            query = {**request.args, "page": str(page + 1)}
            next_url = f"{platform.base_url}/lineitems?{urlencode(query)}"
            response.headers["Link"] = f'<{next_url}>; rel="next"'
        return response

    @app.post("/lineitems")
    def create_line_item() -> tuple[Response, int]:
        """Create a line item."""
        platform.bearer(c.SCOPE_LINEITEM)
        body = request.get_json(force=True, silent=True)
        if request.mimetype != c.MEDIA_LINEITEM or not isinstance(body, dict):
            abort(Response("expected a line item", status=415))
        if not isinstance(body.get("label"), str) or not isinstance(body.get("scoreMaximum"), int | float):
            abort(Response("label and scoreMaximum are required", status=400))
        number = str(len(platform.line_items) + 1)
        item = {**body, "id": f"{platform.base_url}/lineitems/{number}"}
        platform.line_items[number] = item
        response = jsonify(item)
        response.mimetype = c.MEDIA_LINEITEM
        return response, 201

    @app.post("/lineitems/<number>/scores")
    def post_score(number: str) -> Response:
        """Record a score, or answer 503 while the platform is down."""
        if platform.score_delay:
            time.sleep(platform.score_delay)
        if platform.down:
            return Response("maintenance", status=503)
        platform.bearer(c.SCOPE_SCORE)
        if number not in platform.line_items:
            abort(404)
        body = request.get_json(force=True, silent=True)
        required = ("userId", "activityProgress", "gradingProgress", "timestamp")
        if request.mimetype != c.MEDIA_SCORE or not isinstance(body, dict) or any(k not in body for k in required):
            abort(Response("expected a score with userId, progress and timestamp", status=400))
        platform.scores.append((number, body))
        return Response(status=200)

    @app.get("/memberships")
    def memberships() -> Response:
        """The context's members in two pages."""
        platform.bearer(c.SCOPE_NRPS)
        half = (len(platform.members) + 1) // 2
        page = request.args.get("page", "1")
        members = platform.members[:half] if page == "1" else platform.members[half:]
        body = {
            "id": f"{platform.base_url}/memberships",
            "context": {"id": "course-101", "label": "MO101", "title": "Medical Office 101"},
            "members": members,
        }
        response = jsonify(body)
        response.mimetype = c.MEDIA_MEMBERSHIP
        if page == "1":
            response.headers["Link"] = f'<{platform.base_url}/memberships?page=2>; rel="next"'
        return response

    @app.get("/course/<context_id>")
    def course_page(context_id: str) -> Response:
        """A course page that frames the tool's login URL; `storage=frame|parent` offers the LTI platform storage.

        With `frame`, a hidden storage frame of the platform keeps the data (as Canvas does); with `parent`,
        this page itself does. Either way this page answers `lti.capabilities`.
        """
        target = request.args.get("target", "")
        storage = request.args.get("storage")
        storage_target = {"frame": STORAGE_FRAME, "parent": "_parent"}.get(storage or "")
        params = platform.login_params(
            target, message_hint=request.args.get("hint", "launch"), storage_target=storage_target
        )
        page = (
            f"<h1>Course {escape(context_id)}</h1>"
            f'<iframe id="tool" title="Office Manager Academy" src="{escape(platform.tool_login_url)}?'
            f'{escape(urlencode(params))}" width="1000" height="800" allow="clipboard-write"></iframe>'
        )
        if storage_target:
            frame = storage_target if storage_target != "_parent" else ""
            page += f"<script>{CAPABILITIES_SCRIPT.replace('FRAME', frame)}"
            page += STORAGE_SCRIPT if not frame else ""
            page += "</script>"
            if frame:
                page += f'<iframe name="{STORAGE_FRAME}" src="/storage-frame" hidden></iframe>'
        return Response(page, mimetype="text/html")

    @app.get("/storage-frame")
    def storage_frame() -> Response:
        """The platform's storage frame: answers lti.put_data and lti.get_data, keeping data per sender's origin."""
        return Response(f"<!doctype html><title>storage</title><script>{STORAGE_SCRIPT}</script>", mimetype="text/html")

    @app.post("/deep-link-return")
    def deep_link_return() -> Response:
        """Take the tool's deep-linking response, verified with the tool's JWKS, and keep its content items."""
        try:
            claims = platform.verify_tool_jwt(request.form.get("JWT", ""), platform.issuer, ["exp", "iat", "nonce"])
        except (StopIteration, KeyError, ValueError, requests.RequestException, jwt.InvalidTokenError) as error:
            return Response(f"invalid deep-linking response: {error}", status=400)
        if claims.get(c.MESSAGE_TYPE) != c.DEEP_LINKING_RESPONSE or claims.get(c.DEPLOYMENT_ID) != (
            platform.deployment_id
        ):
            return Response("not a deep-linking response for this deployment", status=400)
        items = claims.get(c.DL_CONTENT_ITEMS, [])
        platform.deep_link_items.extend(items)
        return Response(f"<p>{len(items)} item(s) added</p>", mimetype="text/html")

    @app.post("/register")
    def register() -> tuple[Response, int]:
        """Dynamic registration: checks the registration token and the tool's registration, answers the client id."""
        if request.headers.get("Authorization") != f"Bearer {platform.registration_token}":
            abort(Response("bad registration token", status=401))
        body = request.get_json(silent=True)
        tool = body.get(c.TOOL_CONFIGURATION) if isinstance(body, dict) else None
        required = ("initiate_login_uri", "redirect_uris", "jwks_uri", "client_name")
        if not isinstance(tool, dict) or any(not body.get(name) for name in required):
            abort(Response("incomplete registration", status=400))
        if body.get("token_endpoint_auth_method") != "private_key_jwt" or "id_token" not in body["response_types"]:
            abort(Response("unsupported registration", status=400))
        platform.registrations.append(body)
        platform.client_id = f"registered-{uuid.uuid4().hex[:8]}"
        platform.tool_jwks_url = body["jwks_uri"]
        platform.redirect_uris = set(body["redirect_uris"])
        answer = {
            **body,
            "client_id": platform.client_id,
            c.TOOL_CONFIGURATION: {**tool, "deployment_id": platform.deployment_id},
        }
        return jsonify(answer), 200

    return app
