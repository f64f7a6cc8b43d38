"""The session's one statement hands over what the ORM would load: same values, same objects, nothing to flush."""

from dataclasses import fields
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select

from lms.extensions import db
from lms.models import Enrollment, LessonProgress, ProgressRecord, User, UserSession, utcnow
from lms.web.session_records import read_session
from lms.web.sessions import token_hash

TOKEN = "a-test-token-" + "x" * 30


def _columns(instance) -> dict:
    return {attribute.key: getattr(instance, attribute.key) for attribute in inspect(type(instance)).column_attrs}


@pytest.fixture
def stored(app, learner):
    """A stored session of the learner, as a sign-in writes it."""
    now = utcnow()
    db.session.add(
        UserSession(
            token_hash=token_hash(TOKEN),
            user_id=learner.id,
            data='{"_user_id": "1"}',
            persistent=True,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=1),
            user_agent="test",
            address="127.0.0.1",
        )
    )
    db.session.commit()


def test_the_progress_record_has_the_columns_of_the_progress_table_in_order():
    assert [field.name for field in fields(ProgressRecord)] == [column.key for column in LessonProgress.__table__.c]


def test_a_course_page_read_equals_the_orm_load(app, course, learner, learner_client, quiz, stored):
    first, second = course.lessons[0].id, course.lessons[1].id
    assert learner_client.post(f"/courses/{course.id}/lessons/{first}/read").status_code == 302
    assert learner_client.post(f"/courses/{course.id}/lessons/{second}/view").status_code == 204
    quiz.take(learner_client, first, correct=1)

    with app.app_context():  # a fresh ORM session, as a request has
        found = read_session(token_hash(TOKEN), course.id)
        assert (found.user_id, found.data, found.persistent) == (learner.id, '{"_user_id": "1"}', True)
        assert found.expires_at.tzinfo is not None and found.last_seen_at.tzinfo is not None
        for instance in (found.account, found.enrollment):
            state = inspect(instance)
            assert state.persistent and not state.expired_attributes and instance not in db.session.dirty
        # The loader's objects are the session's: a later get() is answered from the identity map.
        assert db.session.get(User, learner.id) is found.account
        assert db.session.get(Enrollment, found.enrollment.id) is found.enrollment
        account, enrollment, progress = _columns(found.account), _columns(found.enrollment), found.progress

    with app.app_context():
        assert account == _columns(db.session.get(User, learner.id))
        stored_enrollment = db.session.execute(
            select(Enrollment).where(Enrollment.user_id == learner.id, Enrollment.course_id == course.id)
        ).scalar_one()
        assert enrollment == _columns(stored_enrollment)
        rows = db.session.scalars(select(LessonProgress).where(LessonProgress.enrollment_id == stored_enrollment.id))
        expected = {row.lesson_id: ProgressRecord(**_columns(row)) for row in rows}
        assert set(expected) == set(course.lesson_ids)
        assert progress == expected
        assert progress[first].is_read and progress[first].attempts_count == 1 and not progress[second].is_read


def test_an_account_already_in_the_session_is_the_one_returned(app, course, learner, stored):
    with app.app_context():
        account = db.session.get(User, learner.id)
        assert read_session(token_hash(TOKEN), course.id).account is account


def test_no_enrollment_no_course_and_no_session(app, course, make_user, stored, learner):
    with app.app_context():
        found = read_session(token_hash(TOKEN), None)
        assert found.account.id == learner.id and found.enrollment is None and found.progress == {}
        assert read_session(token_hash("another token"), course.id) is None
    outsider = make_user("Out", enrolled=False)
    with app.app_context():
        moved = UserSession.__table__.update().where(UserSession.token_hash == token_hash(TOKEN))
        db.session.execute(moved.values(user_id=outsider.id))
        db.session.commit()
        found = read_session(token_hash(TOKEN), course.id)
        assert found.account.id == outsider.id and found.enrollment is None and found.progress == {}
