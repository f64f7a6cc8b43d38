"""Property-based tests: random and hostile input never causes a 500 or a partial write."""

import html
import re

import pytest
from flask import url_for
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lms.extensions import db
from lms.models import MAX_ID, Attempt, AttemptAnswer, Enrollment, LessonProgress, User

from ..conftest import MINI_PACK

HOSTILE = [
    "' OR '1'='1",
    '"; DROP TABLE users; --',
    "admin@example.org' --",
    "<script>alert(1)</script>",
    "\x00",
    "a\x00b",
    "𝕏" * 50,
    "x" * 5000,
    "%00",
    "../../etc/passwd",
    "{{7*7}}",
    "",
    " ",
]
TEXT = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=300))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def app_config():
    return {"COURSE_PACK_PATH": str(MINI_PACK)}


def table_counts():
    db.session.expire_all()
    return tuple(
        db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()
        for model in (User, Enrollment, LessonProgress, Attempt, AttemptAnswer)
    )


@SETTINGS
@given(form=st.dictionaries(st.sampled_from(["name", "email", "password", "confirm", "extra"]), TEXT))
def test_registration_never_fails_or_half_writes(app, form):
    before = table_counts()
    response = app.test_client().post("/account/register", data=form)
    assert response.status_code in (302, 400)
    after = table_counts()
    if response.status_code == 302:
        assert after[0] == before[0] + 1 and after[1:] == before[1:]
        user = db.session.execute(db.select(User).order_by(User.id.desc()).limit(1)).scalar_one()
        assert user.email == user.email.strip().lower()
        assert user.password_hash.startswith(app.config["PASSWORD_HASH_METHOD"] + "$")
    else:
        assert after == before


@SETTINGS
@given(form=st.dictionaries(st.sampled_from(["email", "password", "remember", "next"]), TEXT))
def test_sign_in_never_fails_or_writes(app, make_user, form):
    if not db.session.execute(db.select(User).where(User.email == "ann@example.org")).first():
        make_user("Ann", "ann@example.org", password="ann's password")
    before = table_counts()
    response = app.test_client().post("/account/login", data=form)
    assert response.status_code in (302, 400)
    assert table_counts() == before


@pytest.fixture
def quiz_taker(app, make_user, quiz, enrollment_of):
    user = make_user("Quinn", "quinn@example.org")
    return app.test_client(user=user), enrollment_of(user).id, quiz


def fresh_attempt(client, enrollment_id: int, quiz) -> Attempt:
    """Clear earlier examples' attempts (answers cascade) and start a new one."""
    db.session.execute(db.delete(Attempt).where(Attempt.enrollment_id == enrollment_id))
    db.session.commit()
    return quiz.start(client, "alpha")


def mutate(valid: dict, data) -> dict:
    """Drop, replace and add fields of a valid quiz form."""
    form = dict(valid)
    keys = sorted(valid)
    # Draw positions, not keys: the keys depend on the attempt's random draw, the strategy must not.
    for index in data.draw(st.lists(st.integers(0, 99), max_size=3, unique=True)):
        key = keys[index % len(keys)]
        if data.draw(st.booleans()):
            form.pop(key, None)
        else:
            form[key] = data.draw(st.one_of(TEXT, st.sampled_from(["1", "2", "9", "0", "-1", "true", "false"])))
    for _ in range(data.draw(st.integers(0, 2))):
        form[data.draw(st.one_of(st.sampled_from(["q0", "q6", "q99", "q1-x", "csrf_token"]), TEXT))] = data.draw(TEXT)
    return form


@SETTINGS
@given(data=st.data())
def test_quiz_submission_is_all_or_nothing(app, quiz_taker, data):
    client, enrollment_id, quiz = quiz_taker
    attempt = fresh_attempt(client, enrollment_id, quiz)
    form = mutate(quiz.answers(attempt).form(correct=data.draw(st.integers(0, 5))), data)
    before = table_counts()
    response = client.post(f"/courses/mini-course/attempts/{attempt.id}", data=form)
    assert response.status_code in (303, 400)
    db.session.expire_all()
    submitted = db.session.get(Attempt, attempt.id)
    if response.status_code == 303:
        assert submitted.is_submitted
        answers = db.session.execute(db.select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)).all()
        assert len(answers) == submitted.question_count
        assert table_counts() == (*before[:4], before[4] + submitted.question_count)
    else:
        assert not submitted.is_submitted and table_counts() == before


ROSTER_KEYS = ["q", "sort", "dir", "band", "status", "page", "per_page", "cohort"]
# What url_for() reads as its own arguments: none may reach the roster's links.
URL_FOR_KEYS = ["endpoint", "_method", "_external", "_scheme", "_anchor", "values"]


@SETTINGS
@example(query={"q": "' OR '1'='1", "sort": "", "cohort": " "})  # a blank cohort was a 404
@given(
    query=st.dictionaries(
        st.sampled_from(ROSTER_KEYS + URL_FOR_KEYS),
        st.one_of(TEXT, st.sampled_from(["x", "DELETE", "1", "https", "javascript", "top", "course.outline"])),
    )
)
def test_roster_parameters_never_fail_nor_change_its_links(instructor_client, query):
    response = instructor_client.get("/courses/mini-course/instructor/", query_string=query)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        page = response.get_data(as_text=True)
        links = [html.unescape(link) for link in re.findall(r'href="([^"]*)"', page)]
        roster_links = [link for link in links if "/instructor/" in link]
        assert roster_links and all(link.startswith("/courses/mini-course/instructor/") for link in roster_links)
        assert not any("#" in link or "_method" in link or "endpoint=" in link for link in roster_links)


def int_routes(app) -> list[tuple[str, str, object]]:
    """Every (endpoint, method, rule) whose URL has an integer part."""
    return [
        (rule.endpoint, method, rule)
        for rule in app.url_map.iter_rules()
        if any(type(converter).__name__ == "BoundedIntConverter" for converter in rule._converters.values())
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]


@SETTINGS
@given(
    number=st.one_of(
        st.integers(min_value=0, max_value=10**40), st.sampled_from([2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64])
    )
)
def test_integer_route_parameters_past_what_an_id_holds_are_a_404(app, instructor, number):
    client = app.test_client(user=instructor)
    routes = int_routes(app)
    assert {"instructor.learner", "quiz.result", "account.end_one_session"} <= {endpoint for endpoint, _, _ in routes}
    for endpoint, method, rule in routes:
        with app.test_request_context():
            values = {name: 1 for name in rule.arguments}
            values.update({"course_id": "mini-course", "lesson_id": "alpha"})
            url = url_for(endpoint, **{name: values.get(name, "x") for name in rule.arguments})
        # Put the number where url_for put the integer 1 (the last path segment that is "1").
        parts = url.split("/")
        parts[len(parts) - 1 - parts[::-1].index("1")] = str(number)
        status = client.open("/".join(parts), method=method, data={}).status_code
        assert status != 500, (method, url)
        if number > MAX_ID:
            assert status == 404, (method, url, status)
