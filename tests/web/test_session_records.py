"""The session's one statement hands over what the ORM would load: same values, same objects, nothing to flush;
and the quiz rules that the limits query reads."""

from dataclasses import fields
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select

from lms.extensions import db
from lms.models import (
    AttemptLimit,
    Cohort,
    Enrollment,
    LearnerQuizOverride,
    LessonProgress,
    ProgressRecord,
    User,
    UserSession,
    utcnow,
)
from lms.services.attempts import _overrides_and_limits_query, quiz_limits
from lms.web import sessions
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


def _state(instance) -> dict:
    """What the ORM session knows of an instance: its identity, attachment and pending changes."""
    state = inspect(instance)
    return {
        "key": state.key,
        "identity_token": state.identity_token,
        "persistent": state.persistent,
        "session": state.session is db.session(),
        "modified": state.modified,
        "committed_state": dict(state.committed_state),
        "expired": set(state.expired_attributes),
        "unloaded": set(state.unloaded),
        "in_identity_map": db.session.identity_map.get(state.key) is instance,
    }


def test_the_attached_objects_behave_as_queried_ones(app, course, learner, stored):
    """Same state as a query leaves; relationships load, changes flush, deletes and refreshes work."""
    with app.app_context():
        queried_account = db.session.get(User, learner.id)
        queried_enrollment = db.session.scalars(select(Enrollment).where(Enrollment.user_id == learner.id)).one()
        expected = (_state(queried_account), _state(queried_enrollment))
    with app.app_context():
        found = read_session(token_hash(TOKEN), course.id)
        assert (_state(found.account), _state(found.enrollment)) == expected
        assert not db.session.new and not db.session.dirty and not db.session.deleted
        # Relationships load lazily, and back-references find the same objects.
        assert found.account.enrollments == [found.enrollment] and found.enrollment.user is found.account
        assert found.enrollment.cohort.course_id == course.id
        # A change is tracked and flushed as an UPDATE of that row.
        found.account.name = "Renamed"
        assert found.account in db.session.dirty
        db.session.commit()
        assert found.account.name == "Renamed"
    with app.app_context():
        assert db.session.get(User, learner.id).name == "Renamed"
        found = read_session(token_hash(TOKEN), course.id)
        db.session.expire(found.enrollment)
        assert found.enrollment.course_id == course.id, "an expired attribute reloads from the database"
        db.session.delete(found.enrollment)
        db.session.commit()
    with app.app_context():
        assert db.session.scalars(select(Enrollment).where(Enrollment.user_id == learner.id)).first() is None


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


def test_the_quiz_rules_are_the_rows_the_limits_query_reads(app, course, learner, learner_client, quiz, stored):
    first, second = course.lessons[0].id, course.lessons[1].id
    open_attempt = quiz.start(learner_client, first)
    with app.app_context():
        enrollment = db.session.execute(select(Enrollment).where(Enrollment.user_id == learner.id)).scalar_one()
        enrollment_id, cohort_id = enrollment.id, enrollment.cohort_id
        other = Cohort(course_id=course.id, name="Evening", slug="evening")
        db.session.add_all(
            [
                other,
                LearnerQuizOverride(enrollment_id=enrollment_id, lesson_id=second, extra_attempts=2, counted_after=1),
                AttemptLimit(course_id=course.id, lesson_id=first, cohort_id=None, max_attempts=4),
                AttemptLimit(course_id=course.id, lesson_id=first, cohort_id=cohort_id, max_attempts=6),
                AttemptLimit(course_id="another-course", lesson_id=first, cohort_id=None, max_attempts=9),
            ]
        )
        db.session.flush()
        db.session.add(AttemptLimit(course_id=course.id, lesson_id=second, cohort_id=other.id, max_attempts=1))
        db.session.commit()

    with app.app_context():
        assert read_session(token_hash(TOKEN), course.id).quiz_rules is None, "only for the pages that show them"
        rules = read_session(token_hash(TOKEN), course.id, with_quiz_rules=True).quiz_rules
        enrollment = db.session.get(Enrollment, enrollment_id)
        parameters = {"enrollment_id": enrollment_id, "course_id": course.id, "cohort_id": cohort_id}
        queried = db.session.execute(_overrides_and_limits_query(True), parameters).all()
        assert sorted(rules) == sorted(tuple(row) for row in queried)
        assert sorted(rules) == [(0, first, 4, 0), (1, first, 6, 0), (2, second, 2, 1), (3, first, open_attempt.id, 0)]
        open_ids: dict[str, int] = {}
        limits = quiz_limits(enrollment, course, open_ids, rules)
        assert limits == quiz_limits(enrollment, course, {}) and open_ids == {first: open_attempt.id}
        assert limits[first] == 6, "the cohort's limit replaces the course's, in whatever order the rows come"
        assert quiz_limits(enrollment, course, {}, tuple(reversed(rules)))[first] == 6


@pytest.mark.parametrize(
    "page, with_rules",
    [("/", True), ("/dashboard", True), ("", False), ("/lessons/{lesson}", False), ("/quizzes/{lesson}", False)],
)
def test_the_outline_and_dashboard_get_the_quiz_rules_with_the_session(app, course, learner_client, page, with_rules):
    """Read with the session, they cost those pages no statement of their own; other pages do not read them."""
    read = []
    real = sessions.read_session
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sessions, "read_session", lambda *args: read.append(args[2]) or real(*args))
        response = learner_client.get(f"/courses/{course.id}{page.format(lesson=course.lessons[0].id)}")
    assert response.status_code in (200, 308)  # without the slash, the outline's address redirects
    assert read == [with_rules]
