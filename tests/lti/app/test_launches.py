"""Launches through the tool's endpoints from a real platform: accounts, cohorts, enrollments, and every refusal."""

from __future__ import annotations

import time

import pytest
import requests
from sqlalchemy import select

from lms.extensions import db
from lms.lti import claims as c
from lms.lti.keys import ToolKey
from lms.lti.roles import MEMBERSHIP
from lms.models import Cohort, Enrollment, LtiContext, LtiResourceLink, StaffCohort, User, UserIdentity

from .conftest import COURSE, TOOL


def test_the_jwks_publishes_the_tool_key(tool_url, tool_key):
    document = requests.get(f"{tool_url}/lti/jwks.json", timeout=5).json()
    assert [key["kid"] for key in document["keys"]] == [tool_key.kid]
    assert document["keys"][0]["alg"] == "RS256" and "d" not in document["keys"][0]


def test_a_learner_launch_creates_the_account_cohort_and_enrollment(app, client, lti, platform):
    response = lti.launch(client)
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    assert response.location == f"/courses/{COURSE}/lessons/duties"
    identity = db.session.execute(select(UserIdentity)).scalar_one()
    assert (identity.issuer, identity.subject) == (platform.issuer, "learner-1")
    user = db.session.get(User, identity.user_id)
    assert (user.name, user.email, user.password_hash) == ("Ada Lovelace", "ada@example.edu", None)
    context = db.session.execute(select(LtiContext)).scalar_one()
    cohort = db.session.get(Cohort, context.cohort_id)
    assert (cohort.course_id, cohort.name) == (COURSE, "Medical Office 101")
    enrollment = db.session.execute(select(Enrollment)).scalar_one()
    assert (enrollment.user_id, enrollment.cohort_id, enrollment.role) == (user.id, cohort.id, "learner")
    link = db.session.execute(select(LtiResourceLink)).scalar_one()
    assert (link.lesson_id, link.line_item_url) == ("duties", f"{platform.base_url}/lineitems/1")
    assert context.lineitems_url == f"{platform.base_url}/lineitems"
    # Signed in: the lesson opens, with a session cookie fit for the platform's iframe.
    page = client.get(response.location)
    assert page.status_code == 200
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "SameSite=None" in cookie and "Secure" in cookie and "Partitioned" in cookie


def test_a_second_launch_reuses_the_account_and_cohort(client, app, lti, platform, counts):
    assert lti.launch(client).status_code == 302
    before = counts()
    assert lti.launch(app.test_client()).status_code == 302
    assert counts() == before


@pytest.mark.parametrize(
    ("custom", "location"),
    [
        ({"course_id": COURSE, "lesson_id": "hipaa", "target": "quiz"}, f"/courses/{COURSE}/quizzes/hipaa"),
        ({"course_id": COURSE}, f"/courses/{COURSE}/"),
        ({}, f"/courses/{COURSE}/"),
    ],
)
def test_the_launch_opens_the_page_the_link_names(client, lti, platform, custom, location):
    platform.custom = custom
    assert lti.launch(client).location == location


def test_an_instructor_launch_opens_the_roster_of_their_cohort_only(client, lti, platform):
    platform.user_sub, platform.user_roles = "teacher-1", (MEMBERSHIP + "Instructor",)
    response = lti.launch(client)
    assert response.location == f"/courses/{COURSE}/instructor/"
    enrollment = db.session.execute(select(Enrollment)).scalar_one()
    assert enrollment.role == "instructor"
    limits = db.session.execute(select(StaffCohort.cohort_id)).scalars().all()
    assert limits == [enrollment.cohort_id]
    assert client.get(response.location).status_code == 200


def test_a_site_login_keeps_the_lax_cookie(client, make_user):
    make_user("Bea", "bea@example.org", enrolled=False)
    response = client.post("/account/login", data={"email": "bea@example.org", "password": "correct horse battery"})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "SameSite=Lax" in cookie and "Partitioned" not in cookie


def _claims_case(platform, nonce, name):
    """A token for one way a launch must fail."""
    now = int(time.time())
    if name == "bad_signature":
        return platform.sign(platform.launch_claims(nonce), key=ToolKey.generate(), kid=platform.signing_key.kid)
    if name == "unknown_kid":
        return platform.sign(platform.launch_claims(nonce), key=ToolKey.generate())
    changes = {
        "wrong_audience": {"aud": "someone-else"},
        "expired": {"iat": now - 600, "exp": now - 300},
        "unknown_deployment": {c.DEPLOYMENT_ID: "deployment-9"},
        "wrong_version": {c.VERSION: "1.1"},
        "wrong_message_type": {c.MESSAGE_TYPE: "LtiSubmissionReviewRequest"},
        "unknown_platform": {"iss": "https://elsewhere.example"},
        "no_course_role": {c.ROLES: [MEMBERSHIP + "Mentor"]},
        "unknown_course": {c.CUSTOM: {"course_id": "no-such-course"}},
        "unknown_lesson": {c.CUSTOM: {"course_id": COURSE, "lesson_id": "no-such-lesson"}},
    }
    if name == "missing_claim":
        return platform.launch_jwt(nonce, drop=[c.RESOURCE_LINK])
    return platform.launch_jwt(nonce, changes=changes[name])


@pytest.mark.parametrize(
    "code",
    [
        "bad_signature",
        "unknown_kid",
        "wrong_audience",
        "expired",
        "unknown_deployment",
        "wrong_version",
        "wrong_message_type",
        "unknown_platform",
        "missing_claim",
        "no_course_role",
        "unknown_course",
        "unknown_lesson",
    ],
)
def test_a_refused_launch_says_why_and_writes_nothing(client, lti, platform, counts, nonce_count, code, caplog):
    login = lti.login(client)
    before = counts()
    response = lti.post(client, login, _claims_case(platform, login.nonce, code))
    assert response.status_code == 400
    assert f"<code>{code}</code>" in response.get_data(as_text=True)
    assert code in caplog.text
    assert counts() == before
    assert "session=" not in " ".join(response.headers.getlist("Set-Cookie"))


def test_a_replayed_nonce_is_refused(client, app, lti, platform, counts):
    login = lti.login(client)
    token = platform.launch_jwt(login.nonce)
    assert lti.post(client, login, token).status_code == 302
    before = counts()
    # The state cookie is spent too; with a fresh login's state, the old token's nonce is what refuses it.
    assert "<code>wrong_state</code>" in lti.post(client, login, token).get_data(as_text=True)
    again = lti.post(client, lti.login(client), token)
    assert again.status_code == 400 and "<code>replayed_nonce</code>" in again.get_data(as_text=True)
    assert counts() == before


def test_a_wrong_state_is_refused(client, app, lti, platform, counts):
    login = lti.login(client)
    token = platform.launch_jwt(login.nonce)
    before = counts()
    response = lti.post(client, login, token, state="not-the-state")
    assert "<code>wrong_state</code>" in response.get_data(as_text=True)
    # Another browser (no state cookie) cannot use this browser's launch either.
    other = lti.post(app.test_client(), login, token)
    assert "<code>wrong_state</code>" in other.get_data(as_text=True)
    assert counts() == before


def test_a_rotated_platform_key_is_fetched_again(client, app, lti, platform):
    assert lti.launch(client).status_code == 302
    platform.rotate_key()
    fetches = platform.jwks_fetches
    assert lti.launch(app.test_client()).status_code == 302
    assert platform.jwks_fetches == fetches + 1


def test_a_login_for_an_unknown_platform_is_refused(client, platform, nonce_count):
    params = platform.login_params(f"{TOOL}/lti/launch")
    params["iss"] = "https://elsewhere.example"
    response = client.get("/lti/login", query_string=params)
    assert response.status_code == 400 and "<code>unknown_platform</code>" in response.get_data(as_text=True)
    assert nonce_count() == 0


def test_a_login_for_a_target_elsewhere_is_refused(client, platform):
    response = client.post("/lti/login", data=platform.login_params("https://evil.example/lti/launch"))
    assert "<code>bad_login_request</code>" in response.get_data(as_text=True)
