"""Every route against every kind of visitor. A new route without a row here fails the test."""

import pytest
from flask import url_for

from lms.extensions import db

from ..conftest import MINI_PACK

ROLES = ("anonymous", "learner", "other learner", "instructor", "assistant", "admin")

# (endpoint, method): expected status for anonymous, the owner learner, another learner, an instructor
# and a teaching assistant of the course (enrolled with those roles), and a site administrator (not
# enrolled). POSTs carry no form data (CSRF is off here; its own test covers it), so a permitted
# form POST answers 400 and a refused one 403.
MATRIX = {
    ("static", "GET"): (200, 200, 200, 200, 200, 200),
    ("ops.healthz", "GET"): (200, 200, 200, 200, 200, 200),
    ("ops.readyz", "GET"): (200, 200, 200, 200, 200, 200),
    ("catalog.index", "GET"): (302, 302, 302, 302, 302, 302),  # one course: straight to it
    ("legacy.to_default_course", "GET"): (301, 301, 301, 301, 301, 301),
    ("legacy.to_default_course", "POST"): (308, 308, 308, 308, 308, 308),
    ("course.outline", "GET"): (200, 200, 200, 200, 200, 200),
    ("auth.register", "GET"): (200, 302, 302, 302, 302, 302),
    ("auth.login", "GET"): (200, 302, 302, 302, 302, 302),
    ("account.overview", "GET"): (302, 200, 200, 200, 200, 200),
    ("account.password", "GET"): (302, 200, 200, 200, 200, 200),
    ("account.download_data", "GET"): (302, 200, 200, 200, 200, 200),
    ("course.lesson", "GET"): (302, 200, 200, 200, 200, 302),
    ("course.dashboard", "GET"): (302, 200, 200, 200, 200, 302),
    ("quiz.overview", "GET"): (302, 200, 200, 200, 200, 302),
    ("quiz.take", "GET"): (302, 200, 403, 403, 403, 302),
    ("quiz.result", "GET"): (302, 302, 403, 403, 403, 302),  # the owner's attempt is open: result redirects to it
    ("instructor.roster", "GET"): (302, 403, 403, 200, 200, 200),
    ("instructor.learner", "GET"): (302, 403, 403, 200, 200, 200),
    ("instructor.quizzes", "GET"): (302, 403, 403, 200, 200, 200),
    ("instructor.quiz", "GET"): (302, 403, 403, 200, 200, 200),
    ("instructor.cohorts", "GET"): (302, 403, 403, 200, 200, 200),
    ("instructor.edit_cohort", "GET"): (302, 403, 403, 200, 200, 200),
    ("instructor.export_roster", "GET"): (302, 403, 403, 200, 200, 200),
    ("instructor.export_attempts", "GET"): (302, 403, 403, 200, 200, 200),
    ("instructor.create_cohort", "POST"): (302, 403, 403, 400, 403, 400),
    ("instructor.limits", "GET"): (302, 403, 403, 200, 200, 200),
    ("instructor.grant", "POST"): (302, 403, 403, 400, 403, 400),
    ("instructor.reset", "POST"): (302, 403, 403, 400, 403, 400),
    ("instructor.set_limit", "POST"): (302, 403, 403, 400, 403, 400),
    ("instructor.edit_cohort", "POST"): (302, 403, 403, 302, 403, 302),  # no fields: WTForms keeps the cohort's own
    ("auth.register", "POST"): (400, 302, 302, 302, 302, 302),
    ("auth.login", "POST"): (400, 302, 302, 302, 302, 302),
    ("account.password", "POST"): (302, 400, 400, 400, 400, 400),
    ("account.delete", "POST"): (302, 400, 400, 400, 400, 400),
    ("account.end_one_session", "POST"): (302, 404, 404, 404, 404, 404),  # nobody's session: a 404 for everyone
    ("account.end_every_session", "POST"): (302, 302, 302, 302, 302, 302),
    ("course.record_lesson_view", "POST"): (302, 204, 204, 204, 204, 302),
    ("course.mark_lesson_read", "POST"): (302, 302, 302, 302, 302, 302),
    ("quiz.take", "POST"): (302, 400, 403, 403, 403, 302),
    ("quiz.start", "POST"): (302, 303, 303, 303, 303, 302),
    ("recovery.forgot_password", "GET"): (200, 200, 200, 200, 200, 200),
    ("recovery.forgot_password", "POST"): (400, 400, 400, 400, 400, 400),
    ("recovery.reset_password", "GET"): (400, 400, 400, 400, 400, 400),  # a forged token: refused for all
    ("recovery.reset_password", "POST"): (400, 400, 400, 400, 400, 400),
    ("recovery.verify_email", "GET"): (400, 400, 400, 400, 400, 400),
    ("recovery.verify_email", "POST"): (400, 400, 400, 400, 400, 400),
    ("recovery.resend_verification", "POST"): (302, 302, 302, 302, 302, 302),
    ("quiz.save_draft", "POST"): (302, 303, 403, 403, 403, 302),  # no fields: Save and leave stores blanks
    ("preview.index", "GET"): (302, 403, 403, 200, 200, 200),
    ("preview.lesson", "GET"): (302, 403, 403, 200, 200, 200),
    ("preview.quiz", "GET"): (302, 403, 403, 200, 200, 200),
    ("preview.quiz", "POST"): (302, 403, 403, 400, 400, 400),  # no signed layout: not graded
    ("auth.logout", "POST"): (302, 302, 302, 302, 302, 302),
    ("instructor.sync_lti_roster", "POST"): (302, 403, 403, 302, 403, 302),
    ("instructor.resend_grades", "POST"): (302, 403, 403, 302, 403, 302),
    ("lti.jwks", "GET"): (200, 200, 200, 200, 200, 200),
    ("lti.canvas_config", "GET"): (200, 200, 200, 200, 200, 200),
    ("lti.login", "GET"): (400, 400, 400, 400, 400, 400),  # no platform's parameters
    ("lti.login", "POST"): (400, 400, 400, 400, 400, 400),
    ("lti.launch", "POST"): (400, 400, 400, 400, 400, 400),  # no state, no id_token
    ("lti.storage_launch", "POST"): (400, 400, 400, 400, 400, 400),  # not from the tool's page, no state
    ("lti.register_tool", "GET"): (404, 404, 404, 404, 404, 404),  # no valid one-time token
    ("lti.handoff", "GET"): (400, 400, 400, 400, 400, 400),  # no valid one-time hand-off token
    ("lti.setup", "GET"): (302, 403, 403, 403, 403, 200),
    ("lti.pick", "GET"): (403, 403, 403, 403, 403, 403),  # only after a platform's deep-linking request
    ("lti.pick", "POST"): (403, 403, 403, 403, 403, 403),
    ("course.enroll_in_course", "POST"): (302, 302, 302, 302, 302, 302),  # last: it enrolls the admin
}


@pytest.fixture
def app_config(tmp_path):
    return {"COURSE_PACK_PATH": str(MINI_PACK), "LTI_KEY_FILE": str(tmp_path / "lti-key.pem")}


def routes(app) -> list[tuple[str, str, object]]:
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule))
    return found


def test_every_route_has_a_row(app):
    missing = [(endpoint, method) for endpoint, method, _ in routes(app) if (endpoint, method) not in MATRIX]
    assert missing == [], f"add these routes to MATRIX in {__file__}: {missing}"
    stale = set(MATRIX) - {(endpoint, method) for endpoint, method, _ in routes(app)}
    assert stale == set(), f"routes no longer exist: {stale}"


def test_access_matrix(app, make_user, instructor, assistant, admin, quiz, enrollment_of):
    learner = make_user("Owner", "owner@example.org")
    other = make_user("Other", "other@example.org")
    attempt = quiz.start(app.test_client(user=learner), "alpha")
    values = {
        "course_id": "mini-course",
        "section": "lessons",
        "rest": "alpha",
        "lesson_id": "alpha",
        "attempt_id": attempt.id,
        "enrollment_id": enrollment_of(learner).id,
        "cohort_id": enrollment_of(learner).cohort_id,
        "filename": "css/app.css",
        "token": "forged",
        "session_id": 2**30,
    }
    users = {
        "anonymous": None,
        "learner": learner,
        "other learner": other,
        "instructor": instructor,
        "assistant": assistant,
        "admin": admin,
    }
    order = sorted(MATRIX, key=lambda key: (key[1] == "POST", key == ("course.enroll_in_course", "POST")))
    rules = {(endpoint, method): rule for endpoint, method, rule in routes(app)}
    failures = []
    for endpoint, method in order:
        rule = rules[(endpoint, method)]
        with app.test_request_context():
            url = url_for(endpoint, **{name: values[name] for name in rule.arguments})
        for role, expected in zip(ROLES, MATRIX[(endpoint, method)], strict=True):
            user = users[role]
            client = app.test_client(user=user) if user else app.test_client()
            status = client.open(url, method=method, data={}).status_code
            db.session.expire_all()
            if status != expected:
                failures.append(f"{method} {url} as {role}: {status}, expected {expected}")
            assert status != 500, f"{method} {url} as {role} answered 500"
    assert failures == []
