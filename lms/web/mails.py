"""The mails the account flows send: links built on PUBLIC_URL, bodies from templates/mail/."""

from __future__ import annotations

import threading

from flask import Flask, current_app, render_template, url_for

from ..mail import send as send_mail
from ..models import User
from ..services.tokens import password_reset_link_token, verification_link_token


def link(endpoint: str, **values) -> str:
    """An absolute link for a mail: on PUBLIC_URL when set, never on a Host header it does not name."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def _deliver(app: Flask, to: str, subject: str, body: str, what: str) -> bool:
    with app.app_context():
        try:
            send_mail(to, subject, body)
        except OSError:  # smtplib's errors are OSErrors, and so are refused connections and timeouts
            app.logger.exception("could not send the %s mail", what)
            return False
    return True


def _send(to: str, subject: str, template: str, background: bool = False, **context) -> bool:
    """Send one mail; log and return False if the server refuses, so that the page's answer stays the same.

    In the background, the answer does not wait for the mail server: its time then says nothing
    about whether a mail was sent at all.
    """
    body = render_template(f"mail/{template}.txt", **context)
    app = current_app._get_current_object()
    if background:
        threading.Thread(target=_deliver, args=(app, to, subject, body, template), daemon=True).start()
        return True
    return _deliver(app, to, subject, body, template)


def send_password_reset(user: User) -> bool:
    """Mail the account a single-use link to choose a new password."""
    url = link("recovery.reset_password", token=password_reset_link_token(user))
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    # Sent only when the account exists: in the background, so that the time tells nobody which.
    return _send(
        user.email, "Choose a new password", "password_reset", background=True, user=user, url=url, minutes=minutes
    )


def send_verification(user: User) -> bool:
    """Mail the account a link that confirms its email address."""
    url = link("recovery.verify_email", token=verification_link_token(user))
    days = max(current_app.config["EMAIL_VERIFICATION_MAX_AGE"] // 86400, 1)
    return _send(user.email, "Confirm your email address", "verify_email", user=user, url=url, days=days)


def send_registration_attempt(user: User) -> bool:
    """Tell the owner of an email that someone tried to register with it."""
    return _send(
        user.email,
        "Someone tried to register with your email",
        "registration_attempt",
        user=user,
        sign_in=link("auth.login"),
        reset=link("recovery.forgot_password"),
    )
