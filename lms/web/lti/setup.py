"""Setting the tool up in a platform: dynamic registration, the Canvas JSON, and the values page for administrators."""

from __future__ import annotations

from flask import abort, current_app, jsonify, make_response, render_template, request
from flask_login import current_user, login_required

from ...extensions import db
from ...lti.canvas import canvas_configuration
from ...lti.errors import RegistrationError
from ...lti.registration import fetch_platform_configuration, register, tool_registration
from ...lti.transport import HttpClient
from ...services.lti.platforms import platforms
from ...services.lti.registrations import claim_token, store_registration, usable_token
from ..security import content_security_policy
from . import bp, tool_config


@bp.get("/register/<token>")
def register_tool(token: str):
    """Dynamic registration from a platform's window; without a valid one-time token it does nothing (404)."""
    row = usable_token(token)
    if row is None:
        abort(404, description="This registration address is not valid: it was used, has expired or never existed.")
    openid_url = request.args.get("openid_configuration", "")
    if not openid_url.startswith(("https://", "http://")):
        return _failed("The platform did not say where its OpenID configuration is (openid_configuration).")
    course_id = row.course_id
    http = HttpClient()
    try:
        configuration = fetch_platform_configuration(http, openid_url)
        custom = {"course_id": course_id} if course_id else None
        registration = tool_registration(tool_config(), configuration, custom_parameters=custom)
        registered = register(http, configuration, registration, request.args.get("registration_token") or None)
    except RegistrationError as error:
        current_app.logger.warning("LTI dynamic registration failed: %s", error.detail)
        return _failed(f"The registration did not work: {error.detail}")
    # Spent only now, so that a platform that failed can try again with the same address.
    if claim_token(token) is None:
        db.session.rollback()
        abort(404, description="This registration address was used meanwhile.")
    platform = store_registration(registered, course_id, configuration.product_family_code)
    db.session.commit()
    current_app.logger.info("LTI platform registered: %s client %s", platform.issuer, platform.client_id)
    return _frameable(render_template("lti/registered.html", platform=platform))


def _failed(message: str):
    """The registration page with what went wrong (nothing is stored)."""
    db.session.rollback()
    return _frameable(render_template("lti/registration_failed.html", message=message)), 400


def _frameable(page: str):
    """A registration page any site may frame: the platform is not known yet, the one-time token guards it."""
    response = make_response(page)
    response.headers["Content-Security-Policy"] = content_security_policy(["*"])
    return response


@bp.get("/config.json")
def canvas_config():
    """The Canvas developer key's JSON configuration."""
    return jsonify(canvas_configuration(tool_config()))


@bp.get("/setup")
@login_required
def setup():
    """For site administrators: the values to paste into a platform, and the platforms registered."""
    if not current_user.is_admin:
        abort(403, description="This page is for the site's administrators.")
    return render_template("lti/setup.html", tool=tool_config(), platforms=platforms())
