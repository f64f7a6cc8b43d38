"""Accounts: registration, sign-in, sign-out, CSRF, safe redirects."""

import pytest
from werkzeug.security import check_password_hash

from lms.extensions import db
from lms.models import User


def register(client, **overrides):
    data = {"name": "Grace", "email": "grace@example.org", "password": "a long password", "confirm": "a long password"}
    data.update(overrides)
    return client.post("/account/register", data=data)


def users():
    return db.session.execute(db.select(User)).scalars().all()


def test_register_hashes_the_password_and_mails_a_confirmation(app, client):
    response = register(client, email="  Grace@Example.ORG ")
    assert response.status_code == 302 and response.location.endswith("/account/login")
    (user,) = users()
    assert user.email == "grace@example.org" and user.email_verified_at is None
    assert user.password_hash.startswith(app.config["PASSWORD_HASH_METHOD"] + "$")
    assert check_password_hash(user.password_hash, "a long password")
    (mail,) = app.extensions["mailman"].outbox
    assert mail.to == ["grace@example.org"] and "/account/verify/" in mail.body
    # Not signed in: that would tell a visitor the address was free (tests/web/test_mail_flows.py).
    assert "Sign out" not in client.get("/courses/medical-office-manager/").get_data(as_text=True)


def test_email_is_unique_in_any_letter_case(app, client, make_user):
    make_user(email="grace@example.org", enrolled=False)
    response = register(client, email="GRACE@example.org")
    assert response.status_code == 302
    assert len(users()) == 1
    (mail,) = app.extensions["mailman"].outbox
    assert mail.to == ["grace@example.org"] and mail.subject == "Someone tried to register with your email"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "  "}, "Enter your name."),
        ({"email": "not-an-email"}, "Enter an email address like"),
        ({"password": "short", "confirm": "short"}, "Use at least 8 characters."),
        ({"password": "password1", "confirm": "password1"}, "This password is too common"),
        ({"password": "QWERTYUIOP", "confirm": "QWERTYUIOP"}, "This password is too common"),
        ({"password": "grace@example.org", "confirm": "grace@example.org"}, "Do not use your name or email"),
        ({"password": "x" * 129, "confirm": "x" * 129}, "Use at most 128 characters."),
        ({"confirm": "something else"}, "The passwords do not match."),
        ({"email": "x" * 250 + "@example.org"}, "Field cannot be longer than 254 characters."),
    ],
)
def test_registration_rejects_bad_input_and_writes_nothing(client, overrides, message):
    response = register(client, **overrides)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert users() == []


def test_sign_in_and_out(client, make_user):
    make_user(email="ann@example.org", password="ann's password")
    response = client.post("/account/login", data={"email": "ANN@example.org", "password": "ann's password"})
    assert response.status_code == 302
    assert "Sign out" in client.get("/courses/medical-office-manager/").get_data(as_text=True)
    assert client.get("/account/logout").status_code == 405, "signing out needs a POST"
    assert client.post("/account/logout").status_code == 302
    assert "Sign in" in client.get("/courses/medical-office-manager/").get_data(as_text=True)


@pytest.mark.parametrize("email", ["ann@example.org", "nobody@example.org"])
def test_sign_in_errors_do_not_reveal_whether_the_email_exists(client, make_user, email):
    make_user(email="ann@example.org", password="ann's password")
    response = client.post("/account/login", data={"email": email, "password": "wrong password"})
    assert response.status_code == 400
    assert "That email and password do not match an account." in response.get_data(as_text=True)


def test_remember_me_sets_a_lasting_cookie(client, make_user):
    make_user(email="ann@example.org", password="ann's password")
    client.post("/account/login", data={"email": "ann@example.org", "password": "ann's password", "remember": "y"})
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/courses/medical-office-manager/dashboard", "/courses/medical-office-manager/dashboard"),
        ("/courses/medical-office-manager/lessons/duties?x=1", "/courses/medical-office-manager/lessons/duties?x=1"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_next_only_redirects_within_this_site(client, make_user, target, expected):
    make_user(email="ann@example.org", password="ann's password")
    response = client.post(
        "/account/login", data={"email": "ann@example.org", "password": "ann's password", "next": target}
    )
    assert response.status_code == 302
    assert response.location == expected


def test_login_page_carries_next_from_the_query(client):
    page = client.get("/account/login?next=/dashboard").get_data(as_text=True)
    assert 'value="/dashboard"' in page


def test_protected_page_sends_anonymous_users_to_sign_in(client):
    response = client.get("/courses/medical-office-manager/dashboard")
    assert response.status_code == 302
    assert response.location.startswith("/account/login?next=")


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_csrf_is_enforced(client, make_user, app_config):
    make_user(email="ann@example.org", password="ann's password")
    response = client.post("/account/login", data={"email": "ann@example.org", "password": "ann's password"})
    assert response.status_code == 400
    assert "nothing was saved" in response.get_data(as_text=True)
    assert register(client).status_code == 400
    assert len(users()) == 1
    page = client.get("/account/login").get_data(as_text=True)
    assert 'name="csrf_token"' in page


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
@pytest.mark.parametrize(
    "path",
    [
        "/courses/medical-office-manager/enroll",
        "/courses/medical-office-manager/lessons/duties/read",
        "/courses/medical-office-manager/quizzes/duties/attempts",
        "/account/logout",
        "/courses/medical-office-manager/attempts/1",
    ],
)
def test_every_action_needs_the_csrf_token(app, learner, path, app_config):
    client = app.test_client(user=learner)
    response = client.post(path)
    assert response.status_code == 400
    assert "nothing was saved" in response.get_data(as_text=True)


def test_staff_land_on_their_roster_after_sign_in(app, make_user, make_staff):
    make_staff("Irene", "irene@example.org")
    make_staff("Tess", "tess@example.org", role="assistant")
    make_staff("Ada", "admin@example.org", admin=True)
    make_user(email="ann@example.org")
    for email in ("irene@example.org", "tess@example.org", "admin@example.org"):
        response = app.test_client().post("/account/login", data={"email": email, "password": "correct horse battery"})
        assert response.location == "/courses/medical-office-manager/instructor/", email
    learner = app.test_client().post(
        "/account/login", data={"email": "ann@example.org", "password": "correct horse battery"}
    )
    assert learner.location == "/"
    back = app.test_client().post(
        "/account/login",
        data={"email": "irene@example.org", "password": "correct horse battery", "next": "/account/"},
    )
    assert back.location == "/account/", "a next page on this site still wins"
