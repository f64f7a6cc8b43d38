"""Each app context's ORM session is an earlier context's closed one, holding nothing of it."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, inspect, select

from lms.extensions import db
from lms.models import User
from lms.recycled_sessions import KEPT_SESSIONS


def _session_of_a_context(app):
    with app.app_context():
        return db.session()


def test_a_context_gets_the_closed_session_of_an_earlier_one_with_nothing_of_it(app, learner):
    with app.app_context():
        first = db.session()
        account = db.session.get(User, learner.id)
        account.name = "Changed, never committed"
        db.session.add(User(email="pending@example.org", name="Pending", password_hash="x"))
        assert first.in_transaction() and first.dirty and first.new
    assert inspect(account).detached, "the context's objects leave with it"
    with app.app_context():
        second = db.session()
        assert second is first
        assert not second.in_transaction() and not second.identity_map and not second.new and not second.dirty
        assert db.session.get(User, learner.id).name == learner.name, "what the first left uncommitted was rolled back"
        assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "pending@example.org")) == 0


def test_contexts_open_at_once_have_sessions_of_their_own(app):
    sessions = []

    def request_in_a_thread():
        with app.app_context():
            sessions.append(db.session())
            barrier.wait(timeout=5)  # every thread's context is open at once

    barrier = threading.Barrier(4)
    threads = [threading.Thread(target=request_in_a_thread) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(session) for session in sessions}) == 4
    with app.app_context(), app.app_context():  # nested contexts too
        assert db.session() is not _session_of_a_context(app)


def test_the_process_keeps_a_bounded_number(app):
    contexts = [app.app_context() for _ in range(KEPT_SESSIONS + 5)]
    for context in contexts:
        context.push()
        db.session()
    for context in reversed(contexts):
        context.pop()
    assert len(db.closed_sessions) == KEPT_SESSIONS


def test_a_session_given_info_or_failing_to_close_is_not_kept(app, monkeypatch):
    with app.app_context():
        marked = db.session()
        marked.info["mark"] = True
    assert _session_of_a_context(app) is not marked

    with app.app_context():
        broken = db.session()
        db.session.execute(select(1))

        def failing_close():
            raise RuntimeError("rollback failed")

        monkeypatch.setattr(broken, "close", failing_close)
        with pytest.raises(RuntimeError):
            app.do_teardown_appcontext()
        monkeypatch.undo()
        broken.close()
    assert broken not in db.closed_sessions
