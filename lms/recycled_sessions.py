"""Flask-SQLAlchemy whose request sessions are the closed sessions of earlier requests.

Flask-SQLAlchemy makes an ORM Session for every app context and drops it at the end. Making one
costs its constructor, then its event dispatch, which SQLAlchemy fills in lazily, an event name at
a time, each through a caught AttributeError: together 0.09 M instructions of the dashboard's 5.1 M.
A closed Session keeps nothing of its request: SQLAlchemy 2.0's close() empties it (no objects,
no transaction, no connection) and leaves it ready for use. So each process keeps a few closed
ones and hands them out again: a cache of empty objects, no state of the request or the process.

Flask-SQLAlchemy 3.1 (pinned) makes its scoped session in `_make_scoped_session` and closes it in
`_teardown_session`; tests/test_recycled_sessions.py holds both to what they do here.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import orm

# More than the app contexts a process has open at once (one per thread of a worker).
KEPT_SESSIONS = 16


class RecyclingSQLAlchemy(SQLAlchemy):
    """Flask-SQLAlchemy with each process's closed sessions handed to the next app contexts."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.closed_sessions: deque[orm.Session] = deque(maxlen=KEPT_SESSIONS)
        super().__init__(*args, **kwargs)  # makes the scoped session, which takes from closed_sessions

    def _make_scoped_session(self, options: dict[str, Any]) -> orm.scoped_session:
        scoped = super()._make_scoped_session(options)
        make_session = scoped.session_factory

        def take_session() -> orm.Session:
            try:
                return self.closed_sessions.pop()  # atomic: threads never get the same one
            except IndexError:
                return make_session()

        scoped.registry.createfunc = take_session
        return scoped

    def _teardown_session(self, exc: BaseException | None) -> None:
        # What scoped_session.remove() does, then the closed session is kept instead of dropped.
        registry = self.session.registry
        if not registry.has():
            return
        session = registry()
        registry.clear()
        session.close()  # raises if the rollback fails: that session is not kept
        if not session.info:  # nothing here writes info; a session that was given some is not reused
            self.closed_sessions.append(session)
