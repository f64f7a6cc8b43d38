"""Getting back in: password reset by email, and confirming an email address."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..extensions import db, limiter
from ..services.accounts import normalize_email
from ..services.tokens import (
    InvalidLink,
    mark_verified,
    set_new_password,
    user_for_password_reset,
    user_for_verification,
)
from .access import is_safe_redirect
from .forms import ActionForm, ForgotPasswordForm, ResetPasswordForm
from .mails import request_password_reset, send_verification
from .throttle import THROTTLED

bp = Blueprint("recovery", __name__, url_prefix="/account")


def _email_key() -> str:
    return "email:" + normalize_email(request.form.get("email", ""))[:254]


def _user_key() -> str:
    return f"user:{current_user.get_id()}"


def _no_store(response):
    # A page whose URL holds a live token stays out of every cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"], error_message=THROTTLED)
@limiter.limit("3 per hour", key_func=_email_key, methods=["POST"], error_message=THROTTLED)
def forgot_password():
    """Mail a single-use reset link if an account has this email; answer the same either way."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # The same path for every email: the look-up, the queued mail and its sending are in a thread.
        request_password_reset(form.email.data)
        flash(
            f"If an account uses {normalize_email(form.email.data)}, we have mailed it a link to choose a new "
            "password. The link works once, within the hour.",
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form), 400 if form.errors else 200


def _invalid_link(what: str):
    return _no_store(make_response(render_template("auth/link_invalid.html", what=what), 400))


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password through a link from a reset mail; the link dies with the old password."""
    try:
        user = user_for_password_reset(token)
    except InvalidLink:
        return _invalid_link("password")
    form = ResetPasswordForm(email=user.email, name=user.name)
    if form.validate_on_submit():
        set_new_password(user, form.password.data)
        mark_verified(user)  # the link came through the mailbox: the address is the owner's
        db.session.commit()
        flash("Your password is changed and every device is signed out. Sign in with the new password.", "success")
        return redirect(url_for("auth.login"))
    page = render_template("auth/reset_password.html", form=form, token=token)
    return _no_store(make_response(page, 400 if form.errors else 200))


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify_email(token: str):
    """Confirm an email address through the mailed link (a button: opening a link changes nothing)."""
    try:
        user = user_for_verification(token)
    except InvalidLink:
        return _invalid_link("verification")
    form = ActionForm()
    if form.validate_on_submit():
        mark_verified(user)
        db.session.commit()
        flash(f"Thank you: {user.email} is confirmed.", "success")
        return redirect(url_for("catalog.index") if current_user.is_authenticated else url_for("auth.login"))
    return _no_store(make_response(render_template("auth/verify_email.html", form=form, token=token, user=user)))


@bp.route("/verify", methods=["POST"])
@login_required
@limiter.limit("3 per hour", key_func=_user_key, error_message=THROTTLED)
def resend_verification():
    """Mail the signed-in account a new verification link."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400, description="The form was not complete.")
    user = current_user._get_current_object()
    if user.email_verified_at is not None or user.email is None:
        flash("Your email address is already confirmed.", "info")
    else:
        send_verification(user)
        flash(f"We have mailed a new link to {user.email}. It may take a minute to arrive.", "info")
    target = request.form.get("next", "")
    return redirect(target if is_safe_redirect(target) else url_for("catalog.index"))
