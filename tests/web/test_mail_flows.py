"""Password reset, registration that does not tell, and email verification, through a real SMTP server."""

import re
import threading

import pytest
from sqlalchemy import event

from lms.extensions import db
from lms.models import User
from lms.web.mails import RESET_THREAD

from ..conftest import MINI_PACK
from ..mail_server import smtp_server  # noqa: F401 (a fixture)

LINK = re.compile(r"https?://\S+")


@pytest.fixture
def throttled(request) -> bool:
    """Rate limits off unless a test parametrizes this indirectly (the limiter reads the setting at start)."""
    return getattr(request, "param", False)


@pytest.fixture
def app_config(smtp_server, throttled):  # noqa: F811
    return {"COURSE_PACK_PATH": str(MINI_PACK), "MAIL_URL": smtp_server.url, "RATELIMIT_ENABLED": throttled}


@pytest.fixture
def inbox(smtp_server):  # noqa: F811
    return smtp_server.inbox


def wait_for_reset_threads() -> None:
    """Let the forgot-password page's background attempts finish (the page does not wait for them)."""
    for thread in threading.enumerate():
        if thread.name == RESET_THREAD:
            thread.join(timeout=30)


@pytest.fixture(autouse=True)
def _reset_threads_end_in_their_test(app):
    # After `app`, so torn down before it: no thread still holds a connection when its engine is disposed.
    yield
    wait_for_reset_threads()


@pytest.fixture
def ann(make_user):
    return make_user("Ann", "ann@example.org", password="ann's password")


def link_in(message) -> str:
    (url,) = LINK.findall(message.get_content())
    return url


def sign_in(client, password: str, email: str = "ann@example.org"):
    return client.post("/account/login", data={"email": email, "password": password})


def ask_for_reset(client, email: str = "ann@example.org"):
    return client.post("/account/password/forgot", data={"email": email}, follow_redirects=True)


def test_the_sign_in_page_offers_a_reset(client):
    assert 'href="/account/password/forgot"' in client.get("/account/login").get_data(as_text=True)


def test_a_mailed_link_sets_a_new_password_once(app, client, ann, inbox):
    ask_for_reset(client, " ANN@example.org ")
    (message,) = inbox.wait_for(1)
    assert message["To"] == "ann@example.org" and message["Subject"] == "Choose a new password"
    url = link_in(message)
    assert url.startswith("http://localhost/account/password/reset/")
    page = client.get(url)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    changed = client.post(url, data={"password": "a brand new secret", "confirm": "a brand new secret"})
    assert changed.status_code == 302 and changed.location.endswith("/account/login")
    assert sign_in(app.test_client(), "ann's password").status_code == 400
    assert sign_in(app.test_client(), "a brand new secret").status_code == 302
    # Single use: the new password hash kills the link.
    again = client.post(url, data={"password": "yet another secret", "confirm": "yet another secret"})
    assert again.status_code == 400 and "This link no longer works" in again.get_data(as_text=True)
    assert sign_in(app.test_client(), "a brand new secret").status_code == 302


def test_the_answer_is_the_same_whether_the_email_exists_or_not(client, ann, inbox):
    unknown = ask_for_reset(client, "nobody@example.org")
    known = ask_for_reset(client, "ann@example.org")
    assert unknown.status_code == known.status_code == 200
    text = "we have mailed it a link to choose a new password"
    assert text in unknown.get_data(as_text=True) and text in known.get_data(as_text=True)
    inbox.wait_for(1)
    assert inbox.recipients == [["ann@example.org"]], "only the real account gets a mail"


def test_the_request_runs_the_same_statements_whether_the_email_exists_or_not(app, ann, inbox):
    by_thread: dict[str, list[str]] = {}

    def record(conn, cursor, statement, parameters, context, executemany):
        by_thread.setdefault(threading.current_thread().name, []).append(statement)

    def request_statements(email: str) -> list[str]:
        by_thread.clear()
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            ask_for_reset(app.test_client(), email)  # a new visitor each time: a new session row each time
            wait_for_reset_threads()
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return by_thread.get(threading.current_thread().name, [])

    unknown = request_statements("nobody@example.org")
    known = request_statements("ann@example.org")
    assert known == unknown, "the look-up and the queued mail belong in the background thread"
    inbox.wait_for(1)
    assert by_thread[RESET_THREAD], "the thread did the work"


def test_the_link_dies_when_the_password_changes_and_when_it_expires(app, client, ann, inbox):
    ask_for_reset(client)
    url = link_in(inbox.wait_for(1)[0])
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    assert client.get(url).status_code == 400, "expired"
    app.config["PASSWORD_RESET_MAX_AGE"] = 3600
    assert client.get(url).status_code == 200
    signed_in = app.test_client(user=ann)
    form = {"current": "ann's password", "password": "changed on purpose", "confirm": "changed on purpose"}
    assert signed_in.post("/account/password", data=form).status_code == 302
    assert client.get(url).status_code == 400, "a password change kills every reset link"


@pytest.mark.parametrize("token", ["nonsense", "eyJ1IjoxLCJmIjoiMDAwMCJ9.ZZZZZZ.AAAAAAAAAAAAAAAAAAAAAAAAAAA"])
def test_a_forged_link_is_refused(client, ann, token):
    response = client.get(f"/account/password/reset/{token}")
    assert response.status_code == 400 and "Mail me a new link" in response.get_data(as_text=True)


def test_a_new_password_still_follows_the_rules(client, ann, inbox):
    ask_for_reset(client)
    url = link_in(inbox.wait_for(1)[0])
    response = client.post(url, data={"password": "password", "confirm": "password"})
    assert response.status_code == 400
    assert sign_in(client, "ann's password").status_code == 302, "nothing changed"


def test_links_use_public_url_not_the_host_header(app, client, ann, inbox):
    app.config["PUBLIC_URL"] = "https://academy.example.org"
    client.post("/account/password/forgot", data={"email": "ann@example.org"}, headers={"Host": "evil.example"})
    assert link_in(inbox.wait_for(1)[0]).startswith("https://academy.example.org/account/password/reset/")


@pytest.mark.parametrize("throttled", [True], indirect=True)
def test_reset_requests_are_throttled(client, ann):
    responses = [ask_for_reset(client, f"u{n}@example.org") for n in range(6)]
    assert [response.status_code for response in responses] == [200] * 5 + [429]
    assert "Too many attempts" in responses[-1].get_data(as_text=True) and int(responses[-1].headers["Retry-After"]) > 0
    # Per email too, from any address.
    for n in range(3):
        client.post(
            "/account/password/forgot", data={"email": "ann@example.org"}, environ_base={"REMOTE_ADDR": f"10.9.0.{n}"}
        )
    again = client.post(
        "/account/password/forgot", data={"email": " ANN@example.org"}, environ_base={"REMOTE_ADDR": "10.9.1.1"}
    )
    assert again.status_code == 429


def register(client, email: str, name: str = "Bea Newcomer"):
    data = {"name": name, "email": email, "password": "bea's long password", "confirm": "bea's long password"}
    return client.post("/account/register", data=data)


def test_registration_does_not_tell_whether_the_email_is_taken(app, ann, inbox):
    new, taken = app.test_client(), app.test_client()
    fresh = register(new, "bea@example.org")
    again = register(taken, " Ann@Example.org ")
    assert fresh.status_code == again.status_code == 302 and fresh.location == again.location
    fresh_page = new.get(fresh.location).get_data(as_text=True).replace("bea@example.org", "EMAIL")
    taken_page = taken.get(again.location).get_data(as_text=True).replace("ann@example.org", "EMAIL")
    assert fresh_page == taken_page
    messages = inbox.wait_for(2)
    by_recipient = {message["To"]: message for message in messages}
    assert by_recipient["bea@example.org"]["Subject"] == "Confirm your email address"
    owner_mail = by_recipient["ann@example.org"]
    assert owner_mail["Subject"] == "Someone tried to register with your email"
    assert "http://localhost/account/password/forgot" in owner_mail.get_content()
    # Ann's account is untouched: her password still works, the visitor's does not.
    assert sign_in(app.test_client(), "ann's password").status_code == 302
    assert sign_in(app.test_client(), "bea's long password").status_code == 400


@pytest.fixture
def verifying(app):
    app.config["EMAIL_VERIFICATION_REQUIRED"] = True


def test_an_unverified_account_confirms_its_email_before_a_quiz(app, course, verifying, inbox):
    client = app.test_client()
    register(client, "bea@example.org")
    welcome = inbox.wait_for(1)[0]
    assert sign_in(client, "bea's long password", "bea@example.org").status_code == 302
    assert client.post(f"/courses/{course.id}/enroll").status_code == 302
    lesson = course.lessons[0].id
    refused = client.post(f"/courses/{course.id}/quizzes/{lesson}/attempts")
    assert refused.status_code == 403 and "Confirm your email first" in refused.get_data(as_text=True)
    # The resend button mails a fresh link and comes back to the quiz.
    resent = client.post("/account/verify", data={"next": f"/courses/{course.id}/quizzes/{lesson}"})
    assert resent.status_code == 302 and resent.location.endswith(f"/quizzes/{lesson}")
    url = link_in(inbox.wait_for(2)[1])
    assert link_in(welcome).startswith("http://localhost/account/verify/")
    assert client.get(url).status_code == 200, "opening the link changes nothing"
    assert client.post(f"/courses/{course.id}/quizzes/{lesson}/attempts").status_code == 403
    assert client.post(url).status_code == 302
    assert client.post(f"/courses/{course.id}/quizzes/{lesson}/attempts").status_code == 303


@pytest.mark.parametrize("throttled", [True], indirect=True)
def test_resending_the_verification_mail_is_throttled(app, make_user, verifying):
    user = make_user()
    client = app.test_client(user=user)
    responses = [client.post("/account/verify") for _ in range(4)]
    assert [response.status_code for response in responses] == [302, 302, 302, 429]
    assert int(responses[-1].headers["Retry-After"]) > 0


def test_a_verification_link_for_an_old_email_is_refused(app, make_user, inbox, verifying):
    user = make_user()
    client = app.test_client(user=user)
    client.post("/account/verify")
    url = link_in(inbox.wait_for(1)[0])
    user.email = "changed@example.org"
    db.session.commit()
    assert client.post(url).status_code == 400
    assert db.session.get(User, user.id).email_verified_at is None


def test_accounts_from_a_platform_and_staff_need_no_verification(app, course, verifying, quiz, make_user):
    from lms.services.enrollments import enroll

    platform_user = User(name="Lti Learner", email="lti@example.org", password_hash=None)
    db.session.add(platform_user)
    db.session.flush()
    enroll(platform_user.id, course)
    db.session.commit()
    quiz.start(app.test_client(user=platform_user), course.lessons[0].id)
    unverified = make_user()
    response = app.test_client(user=unverified).post(f"/courses/{course.id}/quizzes/{course.lessons[0].id}/attempts")
    assert response.status_code == 403
