"""A person's own account: password, their data, and deleting the account."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db
from ..services.accounts import LastAdmin, LastInstructor, WrongPassword, change_password, delete_account
from ..services.personal_data import personal_data
from .forms import ChangePasswordForm, DeleteAccountForm
from .throttle import current_password_failed, current_password_wait, throttled

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/")
@login_required
def overview():
    """Show the account with its actions."""
    return render_template("account/overview.html", delete_form=DeleteAccountForm())


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change the password; every other session of the account ends."""
    user = current_user._get_current_object()  # the real User: login_user() below must not get the proxy
    if not user.has_password:
        abort(404, description="This account signs in through another platform and has no password here.")
    form = ChangePasswordForm(email=user.email, name=user.name)
    if form.validate_on_submit():
        if wait := current_password_wait(user.id):
            return throttled(wait)
        try:
            change_password(user, form.current.data, form.password.data)
        except WrongPassword:
            current_password_failed(user.id)
            form.current.errors.append("That is not your current password.")
        else:
            db.session.commit()
            # This session carries on under the new session version, and so does its remember cookie.
            login_user(
                user, remember=current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
            )
            flash("Your password is changed. Other devices have been signed out.", "success")
            return redirect(url_for("account.overview"))
    return render_template("account/password.html", form=form), 400 if form.errors else 200


@bp.route("/data.json")
@login_required
def download_data():
    """Download everything the app holds about the signed-in person, as JSON."""
    body = json.dumps(personal_data(current_user), indent=2, ensure_ascii=False)
    response = Response(body, mimetype="application/json")
    name = f"my-data-{datetime.now(UTC):%Y-%m-%d}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/delete", methods=["POST"])
@login_required
def delete():
    """Delete the account and all its records, after the password confirms it."""
    if not current_user.has_password:
        abort(403, description="This account is managed by another platform: delete it there, or ask an administrator.")
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if wait := current_password_wait(current_user.id):
            return throttled(wait)
        try:
            delete_account(current_user, form.password.data)
        except WrongPassword:
            current_password_failed(current_user.id)
            form.password.errors.append("That is not your password; nothing was deleted.")
        except LastInstructor as last:
            db.session.rollback()
            course = current_app.extensions["lms.catalog"].get(last.args[0])
            title = course.title if course else last.args[0]
            flash(f"You are the only instructor of “{title}”. Make someone else an instructor first.", "error")
        except LastAdmin:
            db.session.rollback()
            flash("You are the site's only administrator. Make someone else an administrator first.", "error")
        else:
            db.session.commit()
            logout_user()
            flash("Your account and all its records are deleted.", "success")
            return redirect(url_for("catalog.index"))
    return render_template("account/overview.html", delete_form=form), 400
