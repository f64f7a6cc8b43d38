"""Accounts from outside platforms: identities unique per issuer, no password, maybe no email; staff rules."""

import pytest
from sqlalchemy.exc import IntegrityError

from lms.extensions import db
from lms.models import User, UserIdentity
from lms.services.accounts import LastAdmin, LastInstructor, authenticate, delete_account
from lms.services.enrollments import enroll, set_role
from lms.services.identities import account_for_identity, user_for_identity

from ..helpers import CATALOG

ISSUER = "https://moodle.example.edu"


@pytest.fixture
def app_config():
    return {"COURSE_PACK_PATH": str(CATALOG)}


def platform_user(subject: str, email: str | None = None, issuer: str = ISSUER) -> User:
    user = User(name=f"Launched {subject}", email=email, password_hash=None)
    db.session.add(user)
    db.session.flush()
    db.session.add(UserIdentity(user_id=user.id, issuer=issuer, subject=subject))
    db.session.commit()
    return user


def test_identities_are_unique_per_issuer(app):
    platform_user("42")
    platform_user("42", issuer="https://canvas.example.edu")  # the same subject at another issuer: another person
    with pytest.raises(IntegrityError):
        platform_user("42")
    db.session.rollback()


def test_accounts_without_email_may_be_many_but_emails_stay_unique(app, make_user):
    platform_user("a"), platform_user("b")
    make_user("Has Email", "same@example.org")
    with pytest.raises(IntegrityError):
        db.session.add(User(name="Copy", email="same@example.org", password_hash=None))
        db.session.commit()
    db.session.rollback()


def test_an_account_without_password_cannot_sign_in_with_one(app, client):
    user = platform_user("7", email="lti@example.org")
    assert authenticate("lti@example.org", "") is None
    assert authenticate("lti@example.org", "anything at all") is None
    response = client.post("/account/login", data={"email": "lti@example.org", "password": "anything at all"})
    assert response.status_code == 400 and "do not match an account" in response.get_data(as_text=True)
    assert db.session.get(User, user.id) is not None


def test_account_pages_cope_without_email_and_password(app):
    user = platform_user("9")
    enroll(user.id, app.extensions["lms.catalog"].default)
    db.session.commit()
    client = app.test_client(user=user)
    page = client.get("/account/")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "None given" in text and "through another platform" in text
    assert "Change password" not in text and "Delete my account</button>" not in text
    assert client.get("/account/password").status_code == 404
    assert client.post("/account/delete", data={"password": "", "confirm": "y"}).status_code == 403
    data = client.get("/account/data.json").get_json()
    assert data["account"]["email"] is None and data["account"]["password"] is False
    assert data["account"]["identities"] == [{"issuer": ISSUER, "subject": "9"}]
    assert client.get("/courses/mini-course/").status_code == 200


def test_the_last_instructor_rule_is_per_course(app, make_user):
    catalog = app.extensions["lms.catalog"]
    both = make_user("Both", "both@example.org", enrolled=False)
    other = make_user("Other", "other@example.org", enrolled=False)
    set_role(both.id, catalog["mini-course"], "instructor")
    set_role(both.id, catalog["second-course"], "instructor")
    set_role(other.id, catalog["mini-course"], "instructor")
    db.session.commit()
    with pytest.raises(LastInstructor) as raised:
        delete_account(both, "correct horse battery")
    assert raised.value.args[0] == "second-course"
    db.session.rollback()
    response = app.test_client(user=both).post(
        "/account/delete", data={"password": "correct horse battery", "confirm": "y"}
    )
    assert response.status_code == 400 and "only instructor of “Second Course”" in response.get_data(as_text=True)
    delete_account(other, "correct horse battery")  # the mini course keeps `both`
    db.session.commit()


def test_the_last_admin_cannot_delete_their_account(app, admin, make_staff):
    with pytest.raises(LastAdmin):
        delete_account(admin, "correct horse battery")
    db.session.rollback()
    second = make_staff("Second Admin", "admin2@example.org", admin=True)
    delete_account(second, "correct horse battery")
    db.session.commit()
    assert db.session.get(User, admin.id).is_admin


def test_a_first_launch_makes_an_account_and_the_next_finds_it(app, make_user):
    make_user("Taken", "taken@example.org")
    user, created = account_for_identity(ISSUER, "s-1", "Lee Launched", "Lee@Example.org")
    assert created and user.email == "lee@example.org" and user.password_hash is None
    again, created_again = account_for_identity(ISSUER, "s-1", "Lee Renamed", None)
    assert again.id == user.id and not created_again
    other, _ = account_for_identity(ISSUER, "s-2", "Someone", "taken@example.org")
    assert other.email is None, "an email in use never links the identity to that account"
    assert user_for_identity("https://elsewhere.example", "s-1") is None
    db.session.commit()
