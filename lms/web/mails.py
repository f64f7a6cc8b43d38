"""The mails the account flows send, through the mail outbox: queued and committed, then tried once at once.

A row is queued already claimed (leased) by the request's own attempt, so a worker running at the
same time never sends it too; if that attempt fails, `flask lms mail deliver` sends it later.
Mails are rendered at delivery, from templates/mail/, with links built on the row's base URL.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, current_app, render_template, request
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError

from ..extensions import db
from ..mail import send as send_mail
from ..models import MailOutbox, User, utcnow
from ..services.accounts import normalize_email, user_by_email
from ..services.mail_outbox import Delivery, claim_due, queue, reason_not_to_send, record
from ..services.tokens import password_reset_link_token, verification_link_token

# Names of the threads that try a password-reset mail at once (tests wait for them by this name).
RESET_THREAD = "mail-password-reset"


def base_url() -> str:
    """What links in this request's mails are built on: PUBLIC_URL, never a Host header it does not name."""
    base = (current_app.config.get("PUBLIC_URL") or request.host_url.rstrip("/")) + request.script_root
    # Only a forged Host header is this long (its links are broken anyway): the row must still fit.
    return base[: MailOutbox.base_url.type.length]


def link(base: str, endpoint: str, **values) -> str:
    """An absolute link on `base` to an endpoint, built without a request (a worker has none)."""
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)


@dataclass(frozen=True)
class Mail:
    """A rendered mail."""

    to: str
    subject: str
    body: str


def compose(row: MailOutbox, user: User) -> Mail:
    """Render a row's mail from the account as it is now (fresh tokens, current name and address)."""
    base, config = row.base_url, current_app.config
    if row.kind == "password_reset":
        url = link(base, "recovery.reset_password", token=password_reset_link_token(user))
        minutes = config["PASSWORD_RESET_MAX_AGE"] // 60
        body = render_template("mail/password_reset.txt", user=user, url=url, minutes=minutes)
        return Mail(user.email, "Choose a new password", body)
    if row.kind == "verify_email":
        url = link(base, "recovery.verify_email", token=verification_link_token(user))
        days = max(config["EMAIL_VERIFICATION_MAX_AGE"] // 86400, 1)
        body = render_template("mail/verify_email.txt", user=user, url=url, days=days)
        return Mail(user.email, "Confirm your email address", body)
    body = render_template(
        "mail/registration_attempt.txt",
        user=user,
        sign_in=link(base, "auth.login"),
        reset=link(base, "recovery.forgot_password"),
    )
    return Mail(user.email, "Someone tried to register with your email", body)


def _deliver_one(row_id: int) -> Delivery | None:
    row = db.session.get(MailOutbox, row_id)
    if row is None:
        return None  # the account was deleted, and its mails with it
    kind, user = row.kind, db.session.get(User, row.user_id)
    reason = reason_not_to_send(row, user, utcnow())
    mail = compose(row, user) if reason is None else None
    db.session.commit()  # no transaction stays open while the mail server answers
    error = None
    if mail is not None:
        try:
            send_mail(mail.to, mail.subject, mail.body)
        except OSError as failure:  # smtplib's errors, refused connections and timeouts are all OSErrors
            error = failure
            current_app.logger.warning("mail %s (%s) not sent: %s", row_id, kind, failure)
    try:
        delivery = record(row, utcnow(), error=error, given_up=reason)
    except (ObjectDeletedError, StaleDataError):  # deleted with its account while the mail server answered
        db.session.rollback()
        return None
    db.session.commit()
    return delivery


def deliver(row_ids: list[int]) -> list[Delivery]:
    """Send rows this process has claimed (claims committed), committing each outcome; return them."""
    deliveries = []
    for row_id in row_ids:
        delivery = _deliver_one(row_id)
        if delivery is not None:
            deliveries.append(delivery)
    return deliveries


def deliver_due(limit: int = 50) -> list[Delivery]:
    """Claim due rows (committed, so other workers skip them) and send them; safe to run several at once."""
    row_ids = claim_due(utcnow(), limit)
    db.session.commit()
    return deliver(row_ids)


def _queue_and_send(kind: str, user: User) -> Delivery | None:
    """Queue a mail claimed for this attempt, commit it, and try it now (the worker retries a failure)."""
    row = queue(kind, user, base_url(), utcnow(), claimed=True)
    db.session.commit()
    deliveries = deliver([row.id])
    return deliveries[0] if deliveries else None


def _reset_in_background(app: Flask, email: str, base: str) -> None:
    with app.app_context():
        try:
            user = user_by_email(email)
            if user is None or not user.has_password:
                return
            row = queue("password_reset", user, base, utcnow(), claimed=True)
            db.session.commit()
            deliver([row.id])
        except Exception:  # a thread's error reaches nobody else: log it (a committed row is retried)
            app.logger.exception("could not queue or send a password-reset mail")


def request_password_reset(email: str) -> None:
    """Queue and send a reset mail if an account has this email, in a background thread, for every email.

    The look-up, the write and the sending all happen in the thread, so that the answer takes the
    same path and time whether the account exists or not. The thread is not a daemon: a server
    stopping gracefully waits for it.
    """
    app = current_app._get_current_object()
    thread = threading.Thread(target=_reset_in_background, args=(app, normalize_email(email), base_url()))
    thread.name = RESET_THREAD
    thread.start()


def send_verification(user: User) -> Delivery | None:
    """Queue the account a link that confirms its email address, and try it at once (after the view's commit)."""
    return _queue_and_send("verify_email", user)


def send_registration_attempt(user: User) -> Delivery | None:
    """Queue a note to the owner of an email that someone tried to register with it, and try it at once."""
    return _queue_and_send("registration_attempt", user)
