"""Throttling: failures count per (account, address), per address and per account; owners on clean
addresses always get in; every limit answers the styled 429 with Retry-After."""

import pytest

from lms.extensions import db
from lms.web import throttle

from ..conftest import MINI_PACK

THROTTLED = "Too many attempts. Wait a few minutes, then try again."


@pytest.fixture
def app_config():
    return {"COURSE_PACK_PATH": str(MINI_PACK), "RATELIMIT_ENABLED": True}


@pytest.fixture
def ann(make_user):
    return make_user("Ann", "ann@example.org", password="ann's password")


def sign_in(app, address: str, email: str = "ann@example.org", password: str = "wrong"):
    client = app.test_client()
    return client.post(
        "/account/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def assert_throttled(response):
    assert response.status_code == 429
    assert THROTTLED in response.get_data(as_text=True) and "<html" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0


def test_the_owner_signs_in_from_a_clean_address_while_the_attackers_address_is_throttled(app, ann):
    # Case and whitespace variants of the email are the same account.
    for email in ("ann@example.org", "ANN@example.org", " Ann@Example.org ", "ann@EXAMPLE.ORG", "ann@example.org"):
        assert sign_in(app, "203.0.113.9", email).status_code == 400
    assert_throttled(sign_in(app, "203.0.113.9"))
    # Even the right password is refused from the address that has been guessing...
    assert_throttled(sign_in(app, "203.0.113.9", password="ann's password"))
    # ...and never from the owner's.
    assert sign_in(app, "198.51.100.7", password="ann's password").status_code == 302


def test_only_failures_count(app, ann):
    for _ in range(12):
        assert sign_in(app, "198.51.100.7", password="ann's password").status_code == 302


def test_an_account_under_attack_from_many_addresses_still_lets_a_clean_address_in(app, ann):
    ceiling = throttle.SIGN_IN_PER_ACCOUNT.items[0].amount
    for n in range(ceiling):
        assert sign_in(app, f"10.{n // 250}.{n % 250}.1").status_code == 400
    # An address that has failed for this account is refused once the account's ceiling is reached.
    assert_throttled(sign_in(app, "10.0.0.1", password="ann's password"))
    # A clean address: the right password gets in; a wrong one is its only try.
    assert sign_in(app, "198.51.100.7", password="ann's password").status_code == 302
    assert sign_in(app, "198.51.100.8").status_code == 400
    assert_throttled(sign_in(app, "198.51.100.8", password="ann's password"))


def test_one_address_guessing_many_accounts_is_throttled(app):
    limit = throttle.SIGN_IN_PER_ADDRESS.items[0].amount
    for n in range(limit):
        assert sign_in(app, "203.0.113.9", email=f"u{n}@example.org").status_code == 400
    assert_throttled(sign_in(app, "203.0.113.9", email="someone-else@example.org"))
    assert sign_in(app, "198.51.100.7", email="someone-else@example.org").status_code == 400


def test_enrollment_code_guesses_are_throttled_per_user_and_per_address(app, course, make_user):
    app.config["ENROLLMENT_CODE"] = "SPRING26"  # the default cohort gets it: no code, no enrollment

    def guess(user, code: str, address: str = "203.0.113.9"):
        return app.test_client(user=user).post(
            f"/courses/{course.id}/enroll", data={"code": code}, environ_base={"REMOTE_ADDR": address}
        )

    guesser = make_user(enrolled=False)
    for n in range(throttle.ENROLLMENT_CODE_PER_USER.items[0].amount):
        assert guess(guesser, f"WRONG{n}", address=f"10.0.0.{n}").status_code == 302
    # Per user, from any address; even the right code waits.
    assert_throttled(guess(guesser, "SPRING26", address="10.0.1.1"))
    # Per address, whoever is signed in: several accounts from one address.
    per_address = throttle.ENROLLMENT_CODE_PER_ADDRESS.items[0].amount
    users = [make_user(enrolled=False) for _ in range(per_address // 4 + 1)]
    statuses = [guess(users[n // 4], f"WRONG{n}").status_code for n in range(per_address)]
    assert statuses == [302] * per_address
    assert_throttled(guess(users[-1], "SPRING26"))
    assert guess(make_user(enrolled=False), "SPRING26", address="198.51.100.7").status_code == 302


def test_current_password_checks_are_throttled(app, make_user):
    user = make_user("Ann", "ann@example.org", password="ann's password")
    client = app.test_client(user=user)
    limit = throttle.CURRENT_PASSWORD_PER_USER.items[0].amount
    for n in range(limit):
        form = {"current": f"guess {n}", "password": "a new long password", "confirm": "a new long password"}
        response = client.post("/account/password", data=form)
        assert response.status_code == 400
    form = {"current": "ann's password", "password": "a new long password", "confirm": "a new long password"}
    assert_throttled(client.post("/account/password", data=form))
    # Deleting the account checks the same password: it waits too, and nothing is deleted.
    assert_throttled(client.post("/account/delete", data={"password": "ann's password", "confirm": "y"}))
    assert db.session.get(type(user), user.id) is not None


def test_account_deletion_guesses_are_throttled(app, make_user):
    user = make_user("Ann", "ann@example.org", password="ann's password")
    client = app.test_client(user=user)
    for n in range(throttle.CURRENT_PASSWORD_PER_USER.items[0].amount):
        assert client.post("/account/delete", data={"password": f"guess {n}", "confirm": "y"}).status_code == 400
    assert_throttled(client.post("/account/delete", data={"password": "ann's password", "confirm": "y"}))
