"""The launch itself: the tool's JWKS, OIDC login initiation, and the id_token posted back."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import jsonify, redirect, request, session, url_for

from ...extensions import csrf, db
from ...lti import claims as c
from ...lti.errors import LaunchError, UnknownPlatform
from ...lti.login import authorization_redirect, parse_login_request
from ...lti.messages import LaunchMessage
from ...lti.storage import is_storage_state, storage_state_matches
from ...services.lti.launches import LaunchOutcome, LaunchRefused, record_launch
from ...services.lti.platforms import DatabaseNonces, DatabasePlatforms
from ..course_scope import catalog
from ..lti_sync import sync_contexts
from ..sessions import sign_in
from . import STATE_COOKIE, bp, frames, keyset, refusal, validator
from .deep_linking import remember_request
from .handoff import offer_handoff


@bp.get("/jwks.json")
def jwks():
    """The tool's public keys, current first."""
    response = jsonify(keyset().jwks(datetime.now(UTC)))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt
def login():
    """OIDC login initiation: remember a nonce, keep the state in a cookie (or the platform's storage), redirect.

    A browser that has not shown yet that it keeps our cookies in this frame is first sent back here
    once with a probe cookie; if it drops it, the login goes on through the platform's storage when the
    platform offers it, else the page with a button that opens the course in a new window.
    """
    params = request.values.to_dict()
    try:
        login_request = parse_login_request(params, request.host_url)
        if DatabasePlatforms().find(login_request.issuer, login_request.client_id) is None:
            raise UnknownPlatform(f"no platform registered for issuer {login_request.issuer!r}")
        if login_request.lti_storage_target:
            auth = _authorize(login_request, state_for=frames.state_for_storage())
            db.session.commit()
            return frames.storage_login_page(auth, params, login_request.lti_storage_target)
        if not frames.cookies_kept():
            return frames.probe(params) if frames.CHECK_PARAM not in params else frames.new_window_page(params)
        auth = _authorize(login_request)
    except LaunchError as error:
        return refusal(error.code, error.detail)
    db.session.commit()
    response = redirect(auth.url)
    frames.set_state_cookie(response, auth.state)
    return response


def _authorize(login_request, **options):
    """The redirect to the platform with a fresh state and nonce (the nonce kept in the database)."""
    return authorization_redirect(
        login_request, DatabasePlatforms(), url_for("lti.launch", _external=True), DatabaseNonces(), **options
    )


@bp.post("/launch")
@csrf.exempt
def launch():
    """Check the id_token, sign the person in with their course role and open the page the link points at."""
    state = request.form.get("state")
    id_token = request.form.get("id_token")
    if state and not request.cookies.get(STATE_COOKIE + state) and is_storage_state(state):
        return _storage_check(id_token, state)
    expected = state if state and request.cookies.get(STATE_COOKIE + state) else None
    return _complete(id_token, state, expected)


@bp.post("/launch/storage")
@csrf.exempt
def storage_launch():
    """The launch again, posted by our own page once the platform's storage gave back this login's state and nonce.

    Without the state cookie the launch page set, the browser keeps no cookie in this frame: the launch
    completes and its page hands the session off to a new window.
    """
    state = request.form.get("state")
    id_token = request.form.get("id_token")
    if not frames.posted_by_this_tool():
        return refusal("wrong_state", f"storage launch posted from {request.headers.get('Origin')!r}, not this tool")
    try:
        _, nonce = validator().peek(id_token)
    except LaunchError as error:
        return refusal(error.code, error.detail)
    if not storage_state_matches(frames.storage_secret(), state, nonce):
        return refusal("wrong_state", "the state is not one this tool issued for a storage login with this nonce")
    return _complete(id_token, state, state, handoff=not frames.launch_cookie_kept(state))


def _storage_check(id_token: str | None, state: str):
    """No state cookie, but a state of a storage login: let the page ask the platform's storage (nothing is written)."""
    try:
        platform, nonce = validator().peek(id_token)
    except LaunchError as error:
        return refusal(error.code, error.detail)
    if not storage_state_matches(frames.storage_secret(), state, nonce):
        return refusal("wrong_state", "the state is not one this tool issued for a storage login with this nonce")
    return frames.storage_launch_page(id_token or "", state, platform, str(nonce))


def _complete(id_token: str | None, state: str | None, expected: str | None, handoff: bool = False):
    """Validate the launch against the expected state, then record it, sign in and open the target.

    With `handoff` (a browser that keeps no cookie in the frame) the target opens in a new window,
    through a one-time link that carries the new session there.
    """
    try:
        message = validator().validate(id_token, state, expected)
        if message.message_type == c.DEEP_LINKING_REQUEST:
            return _start_deep_linking(message, state)
        outcome = record_launch(message, catalog())
    except (LaunchError, LaunchRefused) as error:
        return refusal(error.code, error.detail)
    if outcome.enrollment.role != "learner" and outcome.context is not None and outcome.context.memberships_url:
        sync_contexts([outcome.context], only_due=True)  # at most every LTI_ROSTER_SYNC_MINUTES
    _sign_in(outcome, message)
    db.session.commit()
    if handoff:
        return offer_handoff(_target_url(outcome))
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
