"""LTI 1.3 endpoints under /lti: JWKS, login, launch, registration, deep linking (CSRF-exempt where platforms post)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, current_app, g, render_template, request
from sqlalchemy import select

from ...extensions import cache, db
from ...lti.config import ToolConfig
from ...lti.jwks import PlatformKeys
from ...lti.keys import KeySet
from ...lti.launch import LaunchValidator
from ...lti.transport import HttpClient
from ...models import UserSession
from ...services.lti.handoffs import create_handoff
from ...services.lti.keys import tool_keyset
from ...services.lti.platforms import DatabaseNonces, DatabasePlatforms
from ..course_scope import catalog
from ..sessions import ServerSessionInterface, token_hash

bp = Blueprint("lti", __name__, url_prefix="/lti")

STATE_COOKIE = "lti_state_"
STATE_TTL = 600
PENDING_HANDOFF = "lti_pending_handoff"  # the `g` key of a hand-off waiting for its session row

# What a person sees for each refusal; the log keeps the detail.
PROBLEMS = {
    "wrong_state": "The launch did not come back to the browser that started it, or took too long. "
    "Open the activity again from your course.",
    "malformed_token": "The course platform sent a launch this tool cannot read.",
    "unknown_platform": "This course platform is not registered with the tool. Ask your administrator to add it.",
    "wrong_audience": "The launch was meant for another tool registration.",
    "wrong_issuer": "The launch does not come from the platform it names.",
    "wrong_algorithm": "The launch is not signed the way LTI 1.3 requires.",
    "platform_keys_unavailable": "The tool could not read the course platform's public keys. Try again in a minute.",
    "unknown_kid": "The launch is signed with a key the course platform does not publish.",
    "bad_signature": "The launch's signature is not valid.",
    "expired": "The launch has expired. Open the activity again from your course.",
    "bad_iat": "The launch is dated in the future; the platform's clock may be wrong.",
    "replayed_nonce": "This launch was used already. Open the activity again from your course.",
    "unknown_deployment": "This deployment of the tool is not registered. Ask your administrator to add it.",
    "wrong_version": "The platform sent an LTI version other than 1.3.",
    "wrong_message_type": "The platform sent a kind of launch this tool does not handle.",
    "missing_claim": "The launch lacks information the tool needs.",
    "bad_login_request": "The course platform started the launch without the information the tool needs.",
    "no_course_role": "Your role in the course platform has no place in this course (learner, assistant, instructor).",
    "unknown_course": "The link points to a course this tool does not have.",
    "unknown_lesson": "The link points to a lesson this course does not have.",
    "unknown_target": "The link points to a kind of page this tool does not have.",
    "deep_linking_not_staff": "Only the course's instructors can add the tool's content to the course.",
    "deep_linking_refused": "The platform does not accept what was picked (the kind or the number of items).",
    "context_of_other_course": "This course of the platform is linked to another of the tool's courses.",
    "handoff_unusable": "This link to open the course was used already or has expired. "
    "Open the activity again from your course.",
}


@dataclass(frozen=True)
class PendingHandoff:
    """A hand-off token offered by this response, to bind to the session row the response stores."""

    token: str
    target: str


class LtiSessionInterface(ServerSessionInterface):
    """The server-side session, its cookie sent SameSite=None; Secure; Partitioned only for sessions of a launch.

    A launch runs in the platform's iframe, a third-party context where a Lax cookie is not sent;
    everyone else keeps the site's own Lax cookie.
    """

    def save_session(self, app, session, response) -> None:
        """Note whether this is an LTI session before the parent sets the cookie."""
        g.lti_cookie = bool(session.get("lti"))
        super().save_session(app, session, response)

    def get_cookie_samesite(self, app):
        """None for LTI sessions, else the configured value."""
        return "None" if g.get("lti_cookie") else super().get_cookie_samesite(app)

    def get_cookie_secure(self, app) -> bool:
        """Always Secure for LTI sessions (browsers refuse SameSite=None otherwise)."""
        return app.config["LTI_COOKIE_SECURE"] if g.get("lti_cookie") else super().get_cookie_secure(app)

    def get_cookie_partitioned(self, app) -> bool:
        """Partitioned (CHIPS) for LTI sessions: kept per embedding site where third-party cookies are blocked."""
        return bool(g.get("lti_cookie")) or super().get_cookie_partitioned(app)

    def _insert(self, app, connection, session, user_id, now) -> str:
        """Store the session, and in the same transaction the hand-off this response offers, bound to its row."""
        token = super()._insert(app, connection, session, user_id, now)
        pending = g.pop(PENDING_HANDOFF, None)
        if pending is not None and user_id is not None:
            session_id = connection.scalar(select(UserSession.id).where(UserSession.token_hash == token_hash(token)))
            create_handoff(pending.token, session_id, pending.target, now)
        return token


def tool_config() -> ToolConfig:
    """The tool's URLs as platforms reach this server."""
    return ToolConfig.at(request.host_url, "Office Manager Academy", catalog().default.title)


def keyset() -> KeySet:
    """The tool's keys: the signing key and the retired ones still published."""
    return tool_keyset(current_app.config["LTI_PRIVATE_KEY"], Path(current_app.config["LTI_KEY_FILE"]))


def validator() -> LaunchValidator:
    """A launch validator over the registered platforms, the shared cache and the nonces in the database."""
    return LaunchValidator(DatabasePlatforms(), PlatformKeys(HttpClient(), cache), DatabaseNonces())


def refusal(code: str, detail: str, status: int = 400):
    """Roll back, log the detail and show what went wrong."""
    db.session.rollback()
    current_app.logger.warning("LTI launch refused: %s: %s", code, detail)
    message = PROBLEMS.get(code, "The launch could not be completed.")
    return render_template("lti/error.html", code=code, message=message), status


def init_app(app: Flask) -> None:
    """Register the blueprint and the session interface that gives LTI sessions their cross-site cookie."""
    app.session_interface = LtiSessionInterface()
    app.register_blueprint(bp)


# The views join `bp` when their modules load; they import the helpers above, so they come last.
from . import deep_linking, frames, handoff, launch, setup  # noqa: E402, F401
