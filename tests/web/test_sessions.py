"""Server-side sessions: no cookie outlives its account, its sign-out or its timeouts; ids and CSRF tokens renew."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask_login.utils import encode_cookie
from sqlalchemy import event, select

from lms.extensions import db
from lms.models import RetainedAttempts, User, UserSession

from ..conftest import MINI_PACK

PASSWORD = "a long password"
ACCOUNT = "/account/"


@pytest.fixture
def app_config():
    return {"COURSE_PACK_PATH": str(MINI_PACK)}


class Clock:
    """A clock the test turns forward; the session interface reads it."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def forward(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(app) -> Clock:
    clock = Clock()
    app.session_interface.clock = clock
    return clock


def register(client, email: str, name: str = "Grace"):
    """Register through the form, then sign in (registering signs nobody in: it must not tell who exists)."""
    data = {"name": name, "email": email, "password": PASSWORD, "confirm": PASSWORD}
    response = client.post("/account/register", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return sign_in(client, email)


def sign_in(client, email: str, remember: bool = False, **kwargs):
    data = {"email": email, "password": PASSWORD, **({"remember": "y"} if remember else {})}
    response = client.post("/account/login", data=data, **kwargs)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def signed_in(client) -> bool:
    """True if the client's cookies open the account page."""
    response = client.get(ACCOUNT)
    assert response.status_code in (200, 302)
    return response.status_code == 200


def copy_cookie(source, target, name: str = "session") -> None:
    target.set_cookie(name, source.get_cookie(name).value, domain="localhost")


def test_a_deleted_accounts_cookies_never_open_the_next_account(app, clock):
    """Finding 1: register, keep the cookies, delete, someone registers, replay both cookies."""
    first = app.test_client()
    register(first, "first@example.org")
    kept = first.get_cookie("session").value
    first_id = db.session.execute(select(User.id)).scalar_one()
    assert first.post("/account/delete", data={"password": PASSWORD, "confirm": "y"}).status_code == 302
    second = app.test_client()
    register(second, "second@example.org", name="Second")
    second_user = db.session.execute(select(User)).scalar_one()
    assert second_user.id != first_id, "ids are never reused (AUTOINCREMENT on SQLite)"

    replay = app.test_client()
    replay.set_cookie("session", kept, domain="localhost")
    assert not signed_in(replay)
    # An old-style remember cookie naming the deleted id, or the new account's id with its version, opens nothing.
    for identity in (f"{first_id}:1", f"{second_user.id}:1", f"{second_user.id}:1:guess"):
        with app.test_request_context():
            remember = encode_cookie(identity)
        planted = app.test_client()
        planted.set_cookie("remember_token", remember, domain="localhost")
        assert not signed_in(planted), identity
    assert signed_in(second)


def test_the_cookie_is_a_random_token_that_shows_nothing(app, clock):
    client = app.test_client()
    register(client, "grace@example.org")
    token = client.get_cookie("session").value
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    user_id = db.session.execute(select(User.id)).scalar_one()
    row = db.session.execute(select(UserSession)).scalar_one()
    assert row.user_id == user_id and token not in row.token_hash and "Signed in as Grace." in row.data
    assert "Signed in as Grace." in client.get("/courses/mini-course/").get_data(as_text=True)


def test_a_copied_cookie_is_refused_after_sign_out(app, clock):
    client = app.test_client()
    register(client, "grace@example.org")
    thief = app.test_client()
    copy_cookie(client, thief)
    assert signed_in(thief)
    assert client.post("/account/logout").status_code == 302
    assert not signed_in(thief)
    assert not signed_in(client)
    assert db.session.execute(select(UserSession).where(UserSession.user_id.is_not(None))).first() is None


def test_a_copied_cookie_is_refused_after_the_idle_timeout(app, clock, make_user):
    make_user(email="grace@example.org", password=PASSWORD)
    client = app.test_client()
    sign_in(client, "grace@example.org", remember=True)  # 30 days at most: only the idle timeout can end it here
    thief = app.test_client()
    copy_cookie(client, thief)
    clock.forward(hours=7, minutes=59)
    assert signed_in(thief), "still within 8 hours of the last request"
    clock.forward(hours=7, minutes=59)
    assert signed_in(thief), "each request restarts the idle time"
    clock.forward(hours=8)
    assert not signed_in(thief)
    assert not signed_in(client)


@pytest.mark.parametrize(("remember", "lasts"), [(False, timedelta(hours=12)), (True, timedelta(days=30))])
def test_a_copied_cookie_is_refused_after_the_absolute_timeout(app, clock, make_user, remember, lasts):
    make_user(email="grace@example.org", password=PASSWORD)
    client = app.test_client()
    sign_in(client, "grace@example.org", remember=remember)
    thief = app.test_client()
    copy_cookie(client, thief)
    ends = clock.now + lasts
    while clock.now + timedelta(hours=7) < ends:
        clock.forward(hours=7)  # active all along: never idle for 8 hours
        assert signed_in(thief)
    clock.now = ends
    assert not signed_in(thief)


def test_timeouts_are_settings(app, clock, make_user):
    app.config.update(SESSION_IDLE_TIMEOUT=60, SESSION_ABSOLUTE_TIMEOUT=150)
    make_user(email="grace@example.org", password=PASSWORD)
    client = app.test_client()
    sign_in(client, "grace@example.org")
    clock.forward(seconds=61)
    assert not signed_in(client)
    sign_in(client, "grace@example.org")
    for seconds in (50, 50, 49):
        clock.forward(seconds=seconds)
        assert signed_in(client)
    clock.forward(seconds=1)
    assert not signed_in(client), "150 s after sign-in, however active"


def test_sign_in_and_sign_out_renew_the_session_id(app, clock, make_user):
    make_user(email="grace@example.org", password=PASSWORD)
    victim = app.test_client()
    assert victim.get(ACCOUNT).status_code == 302  # "Sign in to continue.": a session with a flash
    planted = victim.get_cookie("session").value  # an attacker could have set this one
    sign_in(victim, "grace@example.org")
    signed = victim.get_cookie("session").value
    assert signed != planted
    attacker = app.test_client()
    attacker.set_cookie("session", planted, domain="localhost")
    assert not signed_in(attacker), "the planted id was not promoted to a signed-in session"
    victim.post("/account/logout")
    assert victim.get_cookie("session").value not in (planted, signed)
    attacker.set_cookie("session", signed, domain="localhost")
    assert not signed_in(attacker)


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("app_config", [{"COURSE_PACK_PATH": str(MINI_PACK), "WTF_CSRF_ENABLED": True}])
def test_sign_in_renews_the_csrf_token(app, clock, make_user, app_config):
    make_user(email="grace@example.org", password=PASSWORD)
    client = app.test_client()
    before = csrf_token(client.get("/account/login").get_data(as_text=True))
    data = {"email": "grace@example.org", "password": PASSWORD, "csrf_token": before}
    assert client.post("/account/login", data=data).status_code == 302
    assert client.post("/account/logout", data={"csrf_token": before}).status_code == 400, "the old token is void"
    after = csrf_token(client.get(ACCOUNT).get_data(as_text=True))
    assert after != before
    assert client.post("/account/logout", data={"csrf_token": after}).status_code == 302
    assert not signed_in(client)


def test_the_account_page_lists_sessions_and_signs_one_out(app, clock, make_user):
    make_user(email="grace@example.org", password=PASSWORD)
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, "grace@example.org", headers={"User-Agent": "Laptop Browser/1.0"})
    clock.forward(minutes=5)
    sign_in(phone, "grace@example.org", headers={"User-Agent": "Phone <b>Browser</b>"})
    page = laptop.get(ACCOUNT, headers={"User-Agent": "Laptop Browser/1.0"}).get_data(as_text=True)
    assert "Laptop Browser/1.0 <strong>(this browser)</strong>" in page
    assert "Phone &lt;b&gt;Browser&lt;/b&gt;" in page
    phone_session = db.session.execute(
        select(UserSession.id).where(UserSession.user_agent.startswith("Phone"))
    ).scalar_one()
    response = laptop.post(f"/account/sessions/{phone_session}/end")
    assert response.status_code == 302
    assert not signed_in(phone)
    assert signed_in(laptop)


def test_another_accounts_session_cannot_be_ended(app, clock, make_user):
    make_user(email="grace@example.org", password=PASSWORD)
    make_user(email="mallory@example.org", password=PASSWORD)
    grace, mallory = app.test_client(), app.test_client()
    sign_in(grace, "grace@example.org")
    sign_in(mallory, "mallory@example.org")
    grace_id = db.session.execute(
        select(UserSession.id).join(User, User.id == UserSession.user_id).where(User.email == "grace@example.org")
    ).scalar_one()
    assert mallory.post(f"/account/sessions/{grace_id}/end").status_code == 404
    assert signed_in(grace)


def test_ending_this_session_from_the_list_signs_out(app, clock, make_user):
    make_user(email="grace@example.org", password=PASSWORD)
    client = app.test_client()
    sign_in(client, "grace@example.org")
    own = db.session.execute(select(UserSession.id)).scalar_one()
    assert client.post(f"/account/sessions/{own}/end").status_code == 302
    assert not signed_in(client)


def test_sign_out_everywhere(app, clock, make_user):
    make_user(email="grace@example.org", password=PASSWORD)
    clients = [app.test_client() for _ in range(3)]
    for client in clients:
        sign_in(client, "grace@example.org")
    response = clients[0].post("/account/sessions/end-all")
    assert response.status_code == 302 and response.location.endswith("/account/login")
    assert not any(signed_in(client) for client in clients)


def test_last_seen_is_written_at_most_once_a_minute(app, clock, make_user):
    make_user(email="grace@example.org", password=PASSWORD)
    client = app.test_client()
    sign_in(client, "grace@example.org")
    client.get(ACCOUNT)  # the first page marks the session not fresh (Flask-Login): one write
    writes = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith("SELECT"):
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        for _ in range(3):
            clock.forward(seconds=15)
            assert signed_in(client)
        assert [w for w in writes if "sessions" in w] == []
        clock.forward(seconds=20)
        assert signed_in(client)
        assert len([w for w in writes if w.lstrip().upper().startswith("UPDATE SESSIONS")]) == 1
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    last_seen = db.session.execute(select(UserSession.last_seen_at)).scalar_one()
    assert last_seen == clock.now


@pytest.mark.parametrize("path", ["/", "/courses/mini-course/", "/healthz"])
def test_a_visitor_reading_public_pages_gets_no_stored_session(app, path):
    """No cookie and no row per anonymous page view: a crawler or a flood of visitors writes nothing.

    (Pages with a form, such as sign-in, do store one: their CSRF token lives in it.)
    """
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert db.session.execute(select(UserSession)).first() is None


def test_deleting_and_registering_again_keeps_the_attempts_used(app, clock, quiz, course):
    """Finding 10: the limit survives deletion under a keyed hash of the email; nothing else is kept."""
    limit = course.quiz.max_attempts
    assert limit, "the mini pack limits attempts"
    client = app.test_client()
    register(client, "grace@example.org")
    client.post("/courses/mini-course/enroll")
    for _ in range(limit):
        quiz.take(client, "alpha", correct=0)
    assert client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"}).status_code == 302
    kept = db.session.execute(select(RetainedAttempts)).scalars().all()
    assert [(row.course_id, row.lesson_id, row.attempts) for row in kept] == [("mini-course", "alpha", limit)]
    assert "grace" not in kept[0].email_key and len(kept[0].email_key) == 64

    again = app.test_client()
    register(again, " Grace@Example.org ")
    again.post("/courses/mini-course/enroll")
    assert again.post("/courses/mini-course/quizzes/alpha/attempts").status_code == 403
    assert again.post("/courses/mini-course/quizzes/beta/attempts").status_code == 303, "other quizzes are untouched"
    other = app.test_client()
    register(other, "someone@example.org", name="Someone")
    other.post("/courses/mini-course/enroll")
    assert other.post("/courses/mini-course/quizzes/alpha/attempts").status_code == 303


@pytest.mark.parametrize("path", ["/static/css/app.css", "/static/js/local-time.js", "/healthz"])
def test_static_files_and_health_checks_look_up_no_session(app, path):
    """A browser sends the cookie with every file a page uses: finding its session would be a query each."""
    client = app.test_client()
    register(client, "grace@example.org")
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200 and statements == []
    assert "Set-Cookie" not in response.headers, "the session is neither renewed nor ended"
    assert signed_in(client)
