"""Fixtures for races: the mini pack, real threads, and learners written in bulk."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import insert

from lms.extensions import db
from lms.models import User
from lms.services.enrollments import enroll

from ..conftest import MINI_PACK

THREAD_TIMEOUT = 60  # seconds; a thread still running after this is a deadlock
WINDOW = 1.0  # seconds a Rendezvous holds a thread for the others


@pytest.fixture
def app_config():
    return {"COURSE_PACK_PATH": str(MINI_PACK)}


def release_main_session() -> None:
    """End the test thread's transaction, so that it holds no snapshot or lock while the threads write."""
    db.session.commit()


def run_together(*calls: Callable[[], object]) -> list:
    """Run each call in its own thread, all released at once by a barrier; return their results in order.

    An exception in a thread is re-raised here (TESTING propagates a view's exception instead of a 500).
    """
    release_main_session()
    barrier = threading.Barrier(len(calls))

    def released(call):
        barrier.wait(timeout=THREAD_TIMEOUT)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(released, call) for call in calls]
        return [future.result(timeout=THREAD_TIMEOUT) for future in futures]


class Rendezvous:
    """Hold each thread that reaches a point until all have, or until `timeout` passes.

    Wrapping a function that runs between a check and its write forces every thread into that
    window at once. Code that serializes the window (a lock) makes the others wait outside it, so
    the first thread waits out the timeout alone and then goes on: the test stays correct either way.
    """

    def __init__(self, parties: int = 2, timeout: float = WINDOW):
        self.barrier = threading.Barrier(parties)
        self.timeout = timeout
        self.met = False

    def wait(self) -> None:
        try:
            self.barrier.wait(timeout=self.timeout)
            self.met = True
        except threading.BrokenBarrierError:
            pass

    def around(self, function: Callable) -> Callable:
        def wrapped(*args, **kwargs):
            self.wait()
            return function(*args, **kwargs)

        return wrapped


@pytest.fixture
def rendezvous(monkeypatch):
    """Install a Rendezvous in front of module-level functions: rendezvous(module, "name", ...)."""

    def install(*targets: tuple[object, str], parties: int = 2, timeout: float = WINDOW) -> Rendezvous:
        point = Rendezvous(parties, timeout)
        for module, name in targets:
            monkeypatch.setattr(module, name, point.around(getattr(module, name)))
        return point

    return install


@pytest.fixture
def make_learners(app, course):
    """Write `count` enrolled learners at once (one shared unusable password hash) and return them."""

    def make(count: int, prefix: str = "crowd") -> list[User]:
        rows = [
            {"email": f"{prefix}{n}@example.org", "name": f"Learner {n}", "password_hash": "!", "is_admin": False}
            for n in range(count)
        ]
        ids = list(db.session.execute(insert(User).returning(User.id, sort_by_parameter_order=True), rows).scalars())
        for user_id in ids:
            enroll(user_id, course, None, None)
        db.session.commit()
        return list(db.session.execute(db.select(User).where(User.id.in_(ids)).order_by(User.id)).scalars())

    return make
