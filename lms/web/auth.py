"""Accounts: register, sign in, sign out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..extensions import db, limiter
from ..services.accounts import EmailTaken, authenticate, normalize_email, register_user
from .access import is_safe_redirect
from .forms import LoginForm, RegisterForm
from .sessions import sign_in, sign_out

bp = Blueprint("auth", __name__, url_prefix="/account")

# One message for every limit, so that it tells nothing about which account or address tripped it.
THROTTLED = "Too many attempts. Wait a few minutes, then try again."
PER_ADDRESS = "10 per minute;100 per hour"
PER_ACCOUNT = "5 per minute;30 per hour"


def _account_key() -> str:
    """Rate-limit key for the account a sign-in or registration names."""
    return "account:" + normalize_email(request.form.get("email", ""))[:254]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(PER_ADDRESS, methods=["POST"], error_message=THROTTLED)
@limiter.limit(PER_ACCOUNT, key_func=_account_key, methods=["POST"], error_message=THROTTLED)
def register():
    """Create an account and sign in."""
    if current_user.is_authenticated:
        return redirect(url_for("catalog.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = register_user(form.name.data, form.email.data, form.password.data)
        except EmailTaken:
            form.email.errors.append("An account with this email already exists. Sign in instead.")
        else:
            db.session.commit()
            sign_in(user, remember=False)
            flash(f"Welcome, {user.name}! Enroll below to start the course.", "success")
            return redirect(url_for("catalog.index"))
    status = 400 if form.errors else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(PER_ADDRESS, methods=["POST"], error_message=THROTTLED)
@limiter.limit(PER_ACCOUNT, key_func=_account_key, methods=["POST"], error_message=THROTTLED)
def login():
    """Sign in with email and password; go back to a page on this site afterwards."""
    if current_user.is_authenticated:
        return redirect(url_for("catalog.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            sign_in(user, remember=form.remember.data)
            flash(f"Signed in as {user.name}.", "success")
            target = form.next.data
            return redirect(target if is_safe_redirect(target) else url_for("catalog.index"))
        # The same words whether the email is unknown or the password wrong.
        form.form_errors.append("That email and password do not match an account.")
    status = 400 if form.errors or form.form_errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out and end the session on the server (a POST, checked for CSRF, so that no link signs anyone out)."""
    sign_out()
    flash("You are signed out.", "info")
    return redirect(url_for("catalog.index"))
