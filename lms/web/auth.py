"""Accounts: register, sign in, sign out."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, limiter
from ..services.accounts import EmailTaken, authenticate, normalize_email, register_user, user_by_email
from ..services.enrollments import staff_course_ids
from .access import is_safe_redirect
from .forms import LoginForm, RegisterForm
from .mails import send_registration_attempt, send_verification
from .throttle import THROTTLED, sign_in_failed, sign_in_wait, throttled

bp = Blueprint("auth", __name__, url_prefix="/account")

PER_ADDRESS = "10 per minute;100 per hour"
PER_ACCOUNT = "5 per minute;30 per hour"


def _account_key() -> str:
    """Rate-limit key for the account a sign-in or registration names."""
    return "account:" + normalize_email(request.form.get("email", ""))[:254]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(PER_ADDRESS, methods=["POST"], error_message=THROTTLED)
@limiter.limit(PER_ACCOUNT, key_func=_account_key, methods=["POST"], error_message=THROTTLED)
def register():
    """Create an account and mail it a confirmation link; the same answer if the email is taken."""
    if current_user.is_authenticated:
        return redirect(url_for("catalog.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        email = normalize_email(form.email.data)
        try:
            user = register_user(form.name.data, email, form.password.data)
        except EmailTaken:
            # Tell the owner, not the visitor: the page must not say whether the address is in use.
            db.session.rollback()
            owner = user_by_email(email)
            if owner is not None:
                send_registration_attempt(owner)
        else:
            db.session.commit()
            send_verification(user)
        flash(
            f"We have mailed {email}: open the message to confirm your address, then sign in with your password.",
            "success",
        )
        return redirect(url_for("auth.login"))
    status = 400 if form.errors else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password; go back to a page on this site afterwards."""
    if current_user.is_authenticated:
        return redirect(url_for("catalog.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        # Only failures count (see web/throttle.py): a correct password from a clean address always works.
        if wait := sign_in_wait(form.email.data):
            return throttled(wait)
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            sign_in_failed(form.email.data)
        else:
            login_user(user, remember=form.remember.data)
            flash(f"Signed in as {user.name}.", "success")
            target = form.next.data
            return redirect(target if is_safe_redirect(target) else _landing(user))
        # The same words whether the email is unknown or the password wrong.
        form.form_errors.append("That email and password do not match an account.")
    status = 400 if form.errors or form.form_errors else 200
    return render_template("auth/login.html", form=form), status


def _landing(user) -> str:
    """Where a sign-in without a next page goes: staff to their roster, everyone else to the catalog."""
    catalog = current_app.extensions["lms.catalog"]
    course_ids = [course_id for course_id in staff_course_ids(user.id) if catalog.get(course_id)]
    if not course_ids and user.is_admin:
        course_ids = [catalog.default.id]
    return url_for("instructor.roster", course_id=course_ids[0]) if course_ids else url_for("catalog.index")


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out (a POST, checked for CSRF like every POST, so that no link can sign a user out)."""
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("catalog.index"))
