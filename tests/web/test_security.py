"""Security: headers, cookies, throttling, password changes, personal data and account deletion."""

import json
import re

import pytest

from lms.extensions import db
from lms.models import Attempt, AttemptAnswer, Enrollment, LessonProgress, User

from ..conftest import MINI_PACK


@pytest.fixture
def app_config():
    return {"COURSE_PACK_PATH": str(MINI_PACK)}


def test_security_headers_on_every_page(client):
    for path in ("/", "/account/login", "/no-such-page"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"
        assert "Strict-Transport-Security" not in headers, "HSTS only over HTTPS"


def test_hsts_over_https(client):
    assert (
        "max-age="
        in client.get("/courses/mini-course/", base_url="https://localhost").headers["Strict-Transport-Security"]
    )


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "COURSE_PACK_PATH": str(MINI_PACK),
            "FRAME_ANCESTORS": ["https://canvas.example.edu", "https://lms.example.org"],
        }
    ],
)
def test_frame_ancestors_are_configurable_for_lti(client, app_config):
    headers = client.get("/courses/mini-course/").headers
    assert "frame-ancestors https://canvas.example.edu https://lms.example.org" in headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in headers


def test_pages_carry_no_inline_script_or_style(learner_client, instructor_client, quiz):
    attempt = quiz.take(learner_client, "alpha", correct=2)
    pages = [
        learner_client.get(p)
        for p in (
            "/",
            "/courses/mini-course/lessons/alpha",
            "/courses/mini-course/dashboard",
            f"/courses/mini-course/attempts/{attempt.id}/result",
        )
    ]
    pages += [
        instructor_client.get(p)
        for p in ("/courses/mini-course/instructor/", "/courses/mini-course/instructor/quizzes/alpha")
    ]
    for page in pages:
        html = page.get_data(as_text=True)
        assert " style=" not in html and "<style" not in html
        # Scripts only as our own static files (the CSP allows 'self'), never inline code.
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
        assert html.count("<script") == len(scripts)
        for attributes, body in scripts:
            assert re.fullmatch(r' src="/static/js/[\w.-]+\.js" defer', attributes) and not body.strip(), attributes


def test_signed_in_pages_are_not_cached(learner_client):
    assert learner_client.get("/courses/mini-course/dashboard").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "app_config", [{"COURSE_PACK_PATH": str(MINI_PACK), "SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True}]
)
def test_cookies_are_httponly_samesite_and_secure_in_production(app, make_user, app_config):
    make_user(email="ann@example.org", password="ann's password")
    client = app.test_client()
    client.post(
        "/account/login",
        data={"email": "ann@example.org", "password": "ann's password", "remember": "y"},
        base_url="https://localhost",
    )
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name, domain="localhost")
        assert cookie is not None and cookie.http_only and cookie.secure and cookie.same_site == "Lax", name


@pytest.mark.parametrize("app_config", [{"COURSE_PACK_PATH": str(MINI_PACK), "RATELIMIT_ENABLED": True}])
def test_registration_is_throttled_per_address(app, app_config):
    # Sign-in limits count failures: tests/web/test_throttling.py.
    client = app.test_client()
    registration = [
        client.post("/account/register", data={"email": f"new{n}@example.org"}).status_code for n in range(11)
    ]
    assert registration[-1] == 429
    assert "Too many attempts" in client.post("/account/register", data={}).get_data(as_text=True)


def test_change_password_signs_out_other_sessions(app, make_user):
    user = make_user("Ann", "ann@example.org", password="first password 1")
    here, elsewhere = app.test_client(), app.test_client()
    for client in (here, elsewhere):
        client.post(
            "/account/login", data={"email": "ann@example.org", "password": "first password 1", "remember": "y"}
        )
        assert client.get("/courses/mini-course/dashboard").status_code == 200
    wrong = here.post("/account/password", data={"current": "nope", "password": "second password 2",
                                                 "confirm": "second password 2"})  # fmt: skip
    assert wrong.status_code == 400 and "not your current password" in wrong.get_data(as_text=True)
    response = here.post(
        "/account/password",
        data={"current": "first password 1", "password": "second password 2", "confirm": "second password 2"},
    )
    assert response.status_code == 302
    assert here.get("/courses/mini-course/dashboard").status_code == 200, "this session carries on"
    assert elsewhere.get("/courses/mini-course/dashboard").status_code == 302, (
        "the other session (and its remember cookie) is over"
    )
    db.session.expire_all()
    assert db.session.get(User, user.id).session_version == 2
    assert (
        app.test_client()
        .post("/account/login", data={"email": "ann@example.org", "password": "second password 2"})
        .status_code
        == 302
    )


@pytest.mark.parametrize(
    ("new", "message"),
    [("password", "too common"), ("first password 1", "different from the current one"), ("short", "at least 8")],
)
def test_change_password_rules(app, make_user, new, message):
    make_user("Ann", "ann@example.org", password="first password 1")
    client = app.test_client()
    client.post("/account/login", data={"email": "ann@example.org", "password": "first password 1"})
    response = client.post("/account/password", data={"current": "first password 1", "password": new, "confirm": new})
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_learner_downloads_their_data(learner_client, learner, quiz, make_user, app):
    attempt = quiz.take(learner_client, "alpha", correct=3)
    other = app.test_client(user=make_user("Eve", "eve@example.org"))
    quiz.take(other, "beta")
    response = learner_client.get("/account/data.json")
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="my-data-')
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == learner.email
    (enrollment,) = data["enrollments"]
    (taken,) = enrollment["attempts"]
    assert taken["score"] == attempt.score and len(taken["answers"]) == 5
    assert {row["lesson"] for row in enrollment["lessons"]} == {"alpha", "beta"}
    assert "eve@example.org" not in response.get_data(as_text=True)


def counts():
    return [db.session.execute(db.select(db.func.count()).select_from(m)).scalar_one()
            for m in (User, Enrollment, LessonProgress, Attempt, AttemptAnswer)]  # fmt: skip


def test_deleting_an_account_removes_everything_and_the_roster_shows_it(
    app, learner, learner_client, quiz, instructor_client
):
    quiz.take(learner_client, "alpha", correct=3)
    name = learner.name
    assert name in instructor_client.get("/courses/mini-course/instructor/").get_data(as_text=True)
    before = counts()
    refused = learner_client.post("/account/delete", data={"password": "wrong", "confirm": "y"})
    assert refused.status_code == 400 and counts() == before
    unticked = learner_client.post("/account/delete", data={"password": "correct horse battery"})
    assert unticked.status_code == 400 and counts() == before
    response = learner_client.post("/account/delete", data={"password": "correct horse battery", "confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert counts() == [1, 1, 0, 0, 0], "only the instructor (and their enrollment as instructor) is left"
    roster = instructor_client.get("/courses/mini-course/instructor/").get_data(as_text=True)
    assert name not in roster and '<span class="stat-label">Enrolled</span> <span class="stat-value">0</span>' in roster
    assert learner_client.get("/courses/mini-course/dashboard").status_code == 302, "signed out"


def test_the_only_instructor_cannot_delete_their_account(instructor_client, instructor):
    response = instructor_client.post("/account/delete", data={"password": "correct horse battery", "confirm": "y"})
    assert response.status_code == 400
    assert db.session.get(User, instructor.id) is not None
