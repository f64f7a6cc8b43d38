"""The mail outbox: mails survive a mail server that is down, workers at once send each one once,
and a mail its account's state has overtaken (deleted, password changed, link expired) is not sent.

A real SMTP server (aiosmtpd) on a loopback port that starts "down" (nothing listens) and comes up
when the test says so.
"""

from __future__ import annotations

import re
import smtplib
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from lms.cli_mail import deliver_round
from lms.extensions import db
from lms.models import MailOutbox, User, utcnow
from lms.services.accounts import register_user
from lms.services.mail_outbox import (
    LEASE,
    MAX_DELAY,
    MAX_TRIES,
    claim_due,
    is_permanent,
    queue,
    record,
    retry_delay,
)
from lms.services.tokens import mark_verified, set_new_password
from lms.web.mails import RESET_THREAD, compose, deliver_due

from .conftest import MINI_PACK, PROJECT_ROOT
from .mail_server import Inbox
from .ports import free_port
from .postgres_cluster import app_on, private_postgres  # noqa: F401 (a fixture)

LINK = re.compile(r"https?://\S+")
FLASH = "we have mailed it a link to choose a new password"


class LateSmtpServer:
    """An SMTP server on a fixed free port that is down until start() (a mail server outage)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}/?timeout=5"

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[LateSmtpServer]:
    server = LateSmtpServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def app_config(smtp):
    return {"COURSE_PACK_PATH": str(MINI_PACK), "MAIL_URL": smtp.url}


def wait_for_reset_threads() -> None:
    """Let the forgot-password page's background attempts finish (the page does not wait for them)."""
    for thread in threading.enumerate():
        if thread.name == RESET_THREAD:
            thread.join(timeout=30)


@pytest.fixture
def client(app):
    """A test client; the forgot-password threads it starts end before the app's teardown disposes the engine."""
    yield app.test_client()
    wait_for_reset_threads()


@pytest.fixture
def ann(make_user):
    return make_user("Ann", "ann@example.org", password="ann's password")


def rows() -> list[MailOutbox]:
    db.session.expire_all()
    return list(db.session.execute(select(MailOutbox).order_by(MailOutbox.id)).scalars())


def make_due() -> None:
    """Time passes: every pending row's backoff is over."""
    db.session.execute(update(MailOutbox).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def deliver(runner) -> str:
    result = runner.invoke(args=["lms", "mail", "deliver"])
    assert result.exit_code == 0, result.output
    return result.output


def ask_for_reset(client, email: str = "ann@example.org"):
    return client.post("/account/password/forgot", data={"email": email}, follow_redirects=True)


def page_text(response, email: str) -> str:
    return response.get_data(as_text=True).replace(email, "EMAIL")


def test_a_reset_asked_while_the_mail_server_is_down_arrives_once_it_is_up(app, client, runner, ann, smtp):
    unknown = ask_for_reset(app.test_client(), "nobody@example.org")
    known = ask_for_reset(client)
    assert known.status_code == unknown.status_code == 200 and FLASH in known.get_data(as_text=True)
    assert page_text(known, "ann@example.org") == page_text(unknown, "nobody@example.org")
    wait_for_reset_threads()
    (row,) = rows()  # none for the unknown email
    assert (row.kind, row.user_id, row.status, row.tries) == ("password_reset", ann.id, "pending", 1)
    assert row.last_error.startswith("ConnectionRefusedError") and row.next_attempt_at > utcnow()
    assert deliver(runner) == "No mail is due.\n", "backing off"

    smtp.start()
    make_due()
    assert deliver(runner) == f"mail {row.id} (password_reset): sent\n"
    (message,) = smtp.inbox.wait_for(1)
    assert message["To"] == "ann@example.org" and message["Subject"] == "Choose a new password"
    (url,) = LINK.findall(message.get_content())
    assert url.startswith("http://localhost/account/password/reset/")
    assert client.get(url).status_code == 200
    changed = client.post(url, data={"password": "a brand new secret", "confirm": "a brand new secret"})
    assert changed.status_code == 302
    assert (
        app.test_client()
        .post("/account/login", data={"email": "ann@example.org", "password": "a brand new secret"})
        .status_code
        == 302
    )

    make_due()
    assert deliver(runner) == "No mail is due.\n"
    assert len(smtp.inbox.messages) == 1, "sent once"
    (row,) = rows()
    assert row.status == "sent" and row.sent_at is not None and row.last_error is None


def test_with_the_server_up_the_reset_is_sent_at_once_and_the_worker_has_nothing_left(client, runner, ann, smtp):
    smtp.start()
    ask_for_reset(client)
    smtp.inbox.wait_for(1)
    wait_for_reset_threads()
    (row,) = rows()
    assert (row.status, row.tries) == ("sent", 1)
    make_due()
    assert deliver(runner) == "No mail is due.\n" and len(smtp.inbox.messages) == 1


def register(client, email: str, **kwargs):
    data = {"name": "Bea Newcomer", "email": email, "password": "bea's long password", "confirm": "bea's long password"}
    return client.post("/account/register", data=data, **kwargs)


def test_registration_with_the_server_down_answers_at_once_and_the_worker_sends_the_link(app, runner, ann, smtp):
    fresh, taken = app.test_client(), app.test_client()
    assert register(fresh, "bea@example.org").status_code == 302
    assert register(taken, "ann@example.org").status_code == 302
    assert [(row.kind, row.status, row.tries) for row in rows()] == [
        ("verify_email", "pending", 1),
        ("registration_attempt", "pending", 1),
    ]
    smtp.start()
    make_due()
    output = deliver(runner)
    assert "(verify_email): sent" in output and "(registration_attempt): sent" in output
    by_recipient = {message["To"]: message for message in smtp.inbox.wait_for(2)}
    assert by_recipient["ann@example.org"]["Subject"] == "Someone tried to register with your email"
    (url,) = LINK.findall(by_recipient["bea@example.org"].get_content())
    assert fresh.post("/account/login", data={"email": "bea@example.org", "password": "bea's long password"})
    assert fresh.post(url).status_code == 302
    bea = db.session.execute(select(User).where(User.email == "bea@example.org")).scalar_one()
    assert bea.email_verified_at is not None


def test_workers_at_once_send_each_mail_exactly_once(app, make_user, smtp):
    smtp.start()
    users = [make_user(f"Learner {n}", f"learner{n}@example.org") for n in range(8)]
    for user in users:
        queue("verify_email", user, "http://localhost", utcnow())
    db.session.commit()
    barrier = threading.Barrier(4)
    results: list[list] = []

    def worker() -> None:
        with app.app_context():
            barrier.wait()
            results.append(deliver_due(limit=8))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    sent = [delivery.row_id for deliveries in results for delivery in deliveries]
    assert len(results) == 4 and len(sent) == len(set(sent)) == 8
    messages = smtp.inbox.wait_for(8)
    assert sorted(message["To"] for message in messages) == sorted(user.email for user in users)
    assert {row.status for row in rows()} == {"sent"}


def test_a_deleted_accounts_pending_mail_is_not_sent(app, client, runner, ann, smtp):
    ask_for_reset(client)
    wait_for_reset_threads()
    assert len(rows()) == 1
    signed_in = app.test_client(user=ann)
    deleted = signed_in.post("/account/delete", data={"password": "ann's password", "confirm": "y"})
    assert deleted.status_code == 302
    assert rows() == [], "the account's mails went with it"
    smtp.start()
    make_due()
    assert deliver(runner) == "No mail is due.\n" and smtp.inbox.messages == []


@pytest.mark.parametrize(
    ("kind", "setting", "age"),
    [("password_reset", "PASSWORD_RESET_MAX_AGE", 3600), ("verify_email", "EMAIL_VERIFICATION_MAX_AGE", 86400)],
)
def test_a_mail_whose_link_would_have_expired_is_given_up_unsent(app, runner, ann, smtp, kind, setting, age):
    smtp.start()
    app.config[setting] = age
    queue(kind, ann, "http://localhost", utcnow() - timedelta(seconds=age + 5))
    db.session.commit()
    output = deliver(runner)
    assert "failed (not sent: its link would have expired" in output
    (row,) = rows()
    assert row.status == "failed" and row.sent_at is None and smtp.inbox.messages == []


def test_a_reset_row_is_void_once_the_password_changed_and_a_verification_once_confirmed(app, runner, ann, smtp):
    queue("password_reset", ann, "http://localhost", utcnow())
    queue("verify_email", ann, "http://localhost", utcnow())
    db.session.commit()
    # The owner remembered the password and changed it, and confirmed the address, before the mails went.
    set_new_password(ann, "remembered and changed")
    mark_verified(ann)
    db.session.commit()
    smtp.start()
    deliver(runner)
    assert [(row.kind, row.status, row.last_error) for row in rows()] == [
        ("password_reset", "failed", "not sent: the password changed after the request"),
        ("verify_email", "failed", "not sent: the address was confirmed meanwhile"),
    ]
    assert smtp.inbox.messages == []


def test_a_claimed_row_waits_for_its_lease_then_another_worker_takes_it(app, ann):
    now = utcnow()
    row = queue("verify_email", ann, "http://localhost", now, claimed=True)
    db.session.commit()
    assert claim_due(now) == [], "the request's own attempt holds it"
    assert claim_due(now + LEASE + timedelta(seconds=1)) == [row.id], "that attempt died: a worker sends it"
    db.session.commit()
    assert rows()[0].tries == 2


def test_failures_back_off_then_give_up_after_max_tries(app, ann):
    now = utcnow()
    row = queue("registration_attempt", ann, "http://localhost", now, claimed=True)
    delivery = record(row, now, error=ConnectionRefusedError(111, "Connection refused"))
    assert delivery.status == "pending" and now + timedelta(seconds=1) <= row.next_attempt_at <= now + LEASE
    row.tries = MAX_TRIES
    assert record(row, now, error=TimeoutError("timed out")).status == "failed"
    refused = queue("registration_attempt", ann, "http://localhost", now, claimed=True)
    rejection = smtplib.SMTPRecipientsRefused({"ann@example.org": (550, b"no such mailbox")})
    delivery = record(refused, now, error=rejection)
    assert delivery.status == "failed" and "SMTPRecipientsRefused" in delivery.error, "a 5xx for the address"
    db.session.commit()


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"unknown user")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (450, b"mailbox busy")}), False),
        (smtplib.SMTPSenderRefused(553, b"sender refused", "noreply@localhost"), False),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), False),
        (smtplib.SMTPDataError(451, b"try later"), False),
        (smtplib.SMTPServerDisconnected("gone"), False),
        (ConnectionRefusedError(111, "refused"), False),
        (TimeoutError("timed out"), False),
    ],
)
def test_only_a_5xx_refusal_of_the_address_is_permanent(error, permanent):
    assert is_permanent(error) is permanent


@pytest.mark.parametrize(("tries", "ceiling"), [(1, 30), (2, 60), (5, 480), (8, 3600), (30, MAX_DELAY)])
def test_the_backoff_doubles_with_full_jitter_up_to_an_hour(tries, ceiling):
    assert retry_delay(tries, rand=lambda: 1.0) == ceiling
    assert retry_delay(tries, rand=lambda: 0.0) == 1.0


def test_links_are_built_on_the_base_url_stored_at_queue_time(app, ann):
    app.config["PUBLIC_URL"] = "https://elsewhere.example"  # a worker's settings do not change a queued mail
    row = queue("registration_attempt", ann, "https://academy.example.org/school", utcnow())
    mail = compose(row, ann)
    assert "https://academy.example.org/school/account/login" in mail.body
    assert "https://academy.example.org/school/account/password/forgot" in mail.body
    assert mail.to == "ann@example.org"
    db.session.rollback()


def test_an_unknown_kind_is_refused_by_the_database(app, ann):
    db.session.add(MailOutbox(kind="newsletter", user_id=ann.id, base_url="http://localhost"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_worker_waits_out_a_database_outage_and_then_sends(private_postgres, smtp):  # noqa: F811
    app = app_on(private_postgres, MAIL_URL=smtp.url)
    with app.app_context():
        upgrade(directory=str(PROJECT_ROOT / "migrations"))
        user = register_user("Olga Outage", "olga@example.org", "a long password")
        db.session.flush()
        queue("verify_email", user, "http://localhost", utcnow())
        db.session.commit()
        smtp.start()
        private_postgres.stop()
        try:
            once = app.test_cli_runner().invoke(args=["lms", "mail", "deliver"])
            assert once.exit_code == 1 and "the database is unavailable" in once.output
            assert deliver_round(10) is None, "what --loop does: wait and try again, not stop"
        finally:
            private_postgres.start()
        # No restart of the worker: the pool's pre-ping replaces the dead connections.
        assert [delivery.status for delivery in deliver_round(10)] == ["sent"]
        assert smtp.inbox.wait_for(1)[0]["To"] == "olga@example.org"
        db.session.remove()
        db.engine.dispose()


def test_prune_deletes_old_sent_and_failed_rows_and_keeps_pending_ones(app, runner, ann):
    now = utcnow()
    old, recent = now - timedelta(days=31), now - timedelta(days=29)
    for created, status in [(old, "sent"), (old, "failed"), (old, "pending"), (recent, "sent")]:
        row = queue("registration_attempt", ann, "http://localhost", created)
        row.status, row.sent_at = status, created if status == "sent" else None
    db.session.commit()
    result = runner.invoke(args=["lms", "mail", "prune", "--days", "30"])
    assert result.exit_code == 0 and result.output == "2 mail records older than 30 days deleted.\n"
    assert sorted((row.created_at < now - timedelta(days=30), row.status) for row in rows()) == [
        (False, "sent"),
        (True, "pending"),
    ]


def test_a_forged_host_header_of_any_length_still_queues_the_mail(app, ann, smtp):
    response = register(app.test_client(), "ann@example.org", headers={"Host": ".".join(["x" * 60] * 30)})
    assert response.status_code == 302
    (row,) = rows()
    assert row.kind == "registration_attempt" and len(row.base_url) == 1000
