"""The launch itself: the tool's JWKS, OIDC login initiation, and the id_token posted back."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, jsonify, redirect, request, session, url_for

from ...extensions import csrf, db
from ...lti import claims as c
from ...lti.errors import LaunchError
from ...lti.login import authorization_redirect, parse_login_request
from ...lti.messages import LaunchMessage
from ...services.lti.launches import LaunchOutcome, LaunchRefused, record_launch
from ...services.lti.platforms import DatabaseNonces, DatabasePlatforms
from ..course_scope import catalog
from ..lti_sync import sync_contexts
from ..sessions import sign_in
from . import STATE_COOKIE, STATE_TTL, bp, keyset, refusal, validator
from .deep_linking import remember_request


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
    if outcome.enrollment.role != "learner" and outcome.context is not None and outcome.context.memberships_url:
        sync_contexts([outcome.context], only_due=True)  # at most every LTI_ROSTER_SYNC_MINUTES
    _sign_in(outcome, message)
    db.session.commit()
    response = redirect(_target_url(outcome))
    response.delete_cookie(STATE_COOKIE + (state or ""), path=url_for("lti.launch"))
    return response


def _sign_in(outcome: LaunchOutcome, message: LaunchMessage) -> None:
    """Start a fresh session (new id, new CSRF token) for the launched account, marked as an LTI session."""
    sign_in(outcome.user, remember=False)
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
    """An instructor adding the tool in the platform: keep the request and open the picker."""
    if message.course_role is None or str(message.course_role) == "learner":
        return refusal("deep_linking_not_staff", f"roles {list(message.roles)} may not add content")
    db.session.commit()  # the spent nonce
    remember_request(message)
    response = redirect(url_for("lti.pick"))
    response.delete_cookie(STATE_COOKIE + (state or ""), path=url_for("lti.launch"))
    return response
