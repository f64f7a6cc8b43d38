"""LTI 1.3 endpoints: the tool's JWKS, OIDC login initiation and the launch (CSRF-exempt: state and nonce instead)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint, Flask, current_app, g, jsonify, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import login_user

from ..extensions import csrf, db
from ..lti import claims as c
from ..lti.config import ToolConfig
from ..lti.errors import LaunchError
from ..lti.jwks import PlatformKeys
from ..lti.keys import KeySet
from ..lti.launch import LaunchValidator
from ..lti.login import authorization_redirect, parse_login_request
from ..lti.messages import LaunchMessage
from ..lti.transport import HttpClient
from ..services.cache import cache
from ..services.lti.keys import tool_keyset
from ..services.lti.launches import LaunchOutcome, LaunchRefused, record_launch
from ..services.lti.platforms import DatabaseNonces, DatabasePlatforms
from .course_scope import catalog

bp = Blueprint("lti", __name__, url_prefix="/lti")

STATE_COOKIE = "lti_state_"
STATE_TTL = 600

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
    "context_of_other_course": "This course of the platform is linked to another of the tool's courses.",
}


class LtiSessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, sent SameSite=None; Secure; Partitioned only for sessions started by a launch.

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


@bp.get("/jwks.json")
def jwks():
    """The tool's public keys, current first."""
    response = jsonify(keyset().jwks(datetime.now(UTC)))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt
def login():
    """OIDC login initiation: remember a nonce, keep the state in a cookie, send the browser to the platform."""
    try:
        login_request = parse_login_request(request.values.to_dict(), request.host_url)
        auth = authorization_redirect(
            login_request, DatabasePlatforms(), url_for("lti.launch", _external=True), DatabaseNonces()
        )
    except LaunchError as error:
        return refusal(error.code, error.detail)
    db.session.commit()
    response = redirect(auth.url)
    response.set_cookie(
        STATE_COOKIE + auth.state,
        "1",
        max_age=STATE_TTL,
        path=url_for("lti.launch"),
        secure=current_app.config["LTI_COOKIE_SECURE"],
        httponly=True,
        samesite="None",
        partitioned=True,
    )
    return response


@bp.post("/launch")
@csrf.exempt
def launch():
    """Check the id_token, sign the person in with their course role and open the page the link points at."""
    state = request.form.get("state")
    expected = state if state and request.cookies.get(STATE_COOKIE + state) else None
    try:
        message = validator().validate(request.form.get("id_token"), state, expected)
        if message.message_type == c.DEEP_LINKING_REQUEST:
            return _start_deep_linking(message, state)
        outcome = record_launch(message, catalog())
    except (LaunchError, LaunchRefused) as error:
        return refusal(error.code, error.detail)
    _sign_in(outcome, message)
    db.session.commit()
    response = redirect(_target_url(outcome))
    response.delete_cookie(STATE_COOKIE + (state or ""), path=url_for("lti.launch"))
    return response


def _sign_in(outcome: LaunchOutcome, message: LaunchMessage) -> None:
    """Start a fresh session for the launched account, marked as an LTI session."""
    session.clear()
    login_user(outcome.user)
    session["lti"] = {"iss": message.issuer, "context": outcome.context.id if outcome.context else None}


def _target_url(outcome: LaunchOutcome) -> str:
    """The page to open: the roster for staff, else the linked lesson, quiz or course outline."""
    target = outcome.target
    course_id = target.course.id
    if outcome.enrollment.role != "learner":
        return url_for("instructor.roster", course_id=course_id)
    if target.kind == "quiz":
        return url_for("quiz.overview", course_id=course_id, lesson_id=target.lesson_id)
    if target.kind == "lesson":
        return url_for("course.lesson", course_id=course_id, lesson_id=target.lesson_id)
    return url_for("course.outline", course_id=course_id)


def _start_deep_linking(message: LaunchMessage, state: str | None):
    """Deep linking arrives in step 4; until then a clear refusal."""
    return refusal("wrong_message_type", "deep linking is not served yet")


def init_app(app: Flask) -> None:
    """Register the blueprint and the session interface that gives LTI sessions their cross-site cookie."""
    app.session_interface = LtiSessionInterface()
    app.register_blueprint(bp)
