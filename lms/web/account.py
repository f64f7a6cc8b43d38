"""A person's own account: password, their data, and deleting the account."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..services.accounts import LastAdmin, LastInstructor, WrongPassword, change_password, delete_account
from ..services.personal_data import personal_data
from ..services.retained import email_key
from ..services.sessions import active_sessions, end_all_sessions, end_session
from .forms import ActionForm, ChangePasswordForm, DeleteAccountForm
from .sessions import current_record_id, idle_timeout, sign_in, sign_out
from .throttle import current_password_failed, current_password_wait, throttled

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/")
@login_required
def overview():
    """Show the account with its actions and its active sessions."""
    return _overview(DeleteAccountForm()), 200


def _overview(delete_form: DeleteAccountForm) -> str:
    """Render the account page with this delete form."""
    now = current_app.session_interface.clock()
    return render_template(
        "account/overview.html",
        delete_form=delete_form,
        sessions=active_sessions(current_user.id, now, idle_timeout(current_app)),
        this_session=current_record_id(),
    )


@bp.route("/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_one_session(session_id: int):
    """Sign one of the account's sessions out; 404 if the account has no such session."""
    if not ActionForm().validate_on_submit():
        abort(400)
    if session_id == current_record_id():
        sign_out()
        flash("You are signed out.", "info")
        return redirect(url_for("catalog.index"))
    if not end_session(current_user.id, session_id):
        abort(404)
    db.session.commit()
    flash("That session is signed out.", "success")
    return redirect(url_for("account.overview"))


@bp.route("/sessions/end-all", methods=["POST"])
@login_required
def end_every_session():
    """Sign the account out everywhere, this browser included."""
    if not ActionForm().validate_on_submit():
        abort(400)
    end_all_sessions(current_user.id)
    db.session.commit()
    sign_out()
    flash("You are signed out everywhere.", "info")
    return redirect(url_for("auth.login"))


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
            # Every session ended; this browser carries on in a new one, kept as long as it was asked to be.
            sign_in(user, remember=getattr(session, "persistent", False))
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
            key = email_key(current_app.config["SECRET_KEY"], current_user.email) if current_user.email else None
            delete_account(current_user, form.password.data, retain_key=key)
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
            sign_out()
            flash("Your account and all its records are deleted.", "success")
            return redirect(url_for("catalog.index"))
    return _overview(form), 400
