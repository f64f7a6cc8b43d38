"""Property-based tests: random and hostile input never causes a 500 or a partial write."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.extensions import db
from lms.models import Attempt, AttemptAnswer, Enrollment, LessonProgress, User

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


@SETTINGS
@given(query=st.dictionaries(st.sampled_from(["q", "sort", "dir", "band", "status", "page", "per_page"]), TEXT))
def test_roster_parameters_never_fail(instructor_client, query):
    response = instructor_client.get("/courses/mini-course/instructor/", query_string=query)
    assert response.status_code in (200, 400)
