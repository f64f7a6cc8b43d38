"""The hand-off: a frame that keeps no cookie completes a storage launch and opens the course in a new window.

The frame is a test client that keeps no cookies; the new window (first-party) is one that keeps them;
the platform is the real test platform over HTTP.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
from flask.json.tag import TaggedJSONSerializer
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import LtiHandoff, UserSession, utcnow

from .conftest import COURSE
from .test_frames import post_on, read, storage_launch_page

TARGET = f"/courses/{COURSE}/lessons/duties"


@pytest.fixture
def blocking(app):
    """A browser that blocks every cookie of the tool in the frame."""
    return app.test_client(use_cookies=False)


@pytest.fixture
def rows(counts):
    """The launch's tables, the sessions and the hand-offs, counted: to show a refused use wrote nothing."""

    def count() -> dict[str, int]:
        found = counts()
        for model in (UserSession, LtiHandoff):
            found[model.__tablename__] = db.session.scalar(select(func.count()).select_from(model))
        return found

    return count


def handoff_link(blocking, platform) -> str:
    """A storage launch in a frame that keeps no cookie; the hand-off link of the page it answers."""
    _, fields = storage_launch_page(blocking, platform)
    response = post_on(blocking, fields)
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    assert "Your browser blocked this course's cookies inside your course platform's page" in text
    assert "Open the course\n  in a new window</a>" in text
    [link] = [link for link in read(response).links if link.get("target") == "_blank"]
    assert link["rel"] == "noreferrer"
    return link["href"]


def test_the_handoff_signs_in_and_opens_the_target_once(app, blocking, platform, rows):
    before = rows()
    href = handoff_link(blocking, platform)
    token = href.removeprefix("/lti/handoff/")
    assert href.startswith("/lti/handoff/") and len(token) >= 43  # 32 random bytes, URL-safe base64
    # The launch is complete: account, cohort, enrollment, and its session, to which the hand-off is bound.
    after_launch = rows()
    assert after_launch["users"] == before["users"] + 1 and after_launch["enrollments"] == before["enrollments"] + 1
    launch_session = db.session.execute(select(UserSession)).scalar_one()
    assert launch_session.user_id is not None
    handoff = db.session.execute(select(LtiHandoff)).scalar_one()
    assert handoff.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
    assert handoff.session_id == launch_session.id and handoff.target == TARGET
    frame_session = (launch_session.token_hash, launch_session.user_id)
    frame_data = TaggedJSONSerializer().loads(launch_session.data)
    assert frame_data["lti"]["iss"] == platform.issuer
    assert timedelta(minutes=1) < handoff.expires_at - utcnow() <= timedelta(minutes=2)

    window = app.test_client()  # top-level: the browser keeps our cookies there
    response = window.get(href)
    assert response.status_code == 302 and response.location == TARGET  # no token left in the URL
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert any(h.startswith("session=") for h in response.headers.getlist("Set-Cookie"))
    db.session.expire_all()
    # The frame's session id never serves again: the window has the same account under a new id.
    [taken_over] = db.session.execute(select(UserSession)).scalars()
    assert taken_over.token_hash != frame_session[0] and taken_over.user_id == frame_session[1]
    window_data = TaggedJSONSerializer().loads(taken_over.data)
    assert window_data["lti"] == frame_data["lti"]  # still the launch's session: its platform and context
    assert db.session.scalar(select(func.count()).select_from(LtiHandoff)) == 0
    page = window.get(TARGET)
    assert page.status_code == 200 and "Ada Lovelace" in page.get_data(as_text=True)

    used = rows()
    for browser in (window, app.test_client()):  # a second use, and another browser's after the first
        again = browser.get(href)
        assert again.status_code == 400 and "<code>handoff_unusable</code>" in again.get_data(as_text=True)
        assert rows() == used


def test_an_expired_handoff_is_refused_and_writes_nothing(app, blocking, platform, rows):
    href = handoff_link(blocking, platform)
    before = rows()
    later = utcnow() + timedelta(minutes=2, seconds=1)
    app.session_interface.clock = lambda: later
    response = app.test_client().get(href)
    assert response.status_code == 400 and "<code>handoff_unusable</code>" in response.get_data(as_text=True)
    assert rows() == before


@pytest.mark.parametrize("token", ["made-up", "x" * 43, "y" * 101])
def test_a_made_up_handoff_is_refused_and_writes_nothing(app, blocking, platform, rows, token):
    handoff_link(blocking, platform)
    before = rows()
    response = app.test_client().get(f"/lti/handoff/{token}")
    assert response.status_code == 400 and "<code>handoff_unusable</code>" in response.get_data(as_text=True)
    assert rows() == before


def test_a_handoff_of_an_ended_session_is_refused(app, blocking, platform, rows):
    href = handoff_link(blocking, platform)
    db.session.execute(UserSession.__table__.delete())  # signed out everywhere, or timed out and cleared
    db.session.commit()
    assert rows()["lti_handoffs"] == 0  # the hand-off goes with its session
    response = app.test_client().get(href)
    assert response.status_code == 400 and "<code>handoff_unusable</code>" in response.get_data(as_text=True)


def test_the_token_never_reaches_the_logs(app, blocking, platform, caplog):
    caplog.set_level(logging.DEBUG)
    href = handoff_link(blocking, platform)
    window = app.test_client()
    assert window.get(href).status_code == 302
    assert window.get(href).status_code == 400  # a refusal logs its detail
    token = href.removeprefix("/lti/handoff/")
    assert "handoff_unusable" in caplog.text and token not in caplog.text
    assert urlsplit(href).query == ""


def test_of_uses_at_once_one_wins(blocking, platform, tool_url, rows):
    href = handoff_link(blocking, platform)
    barrier = threading.Barrier(4)

    def use() -> int:
        barrier.wait()
        return requests.get(f"{tool_url}{href}", allow_redirects=False, timeout=30).status_code

    with ThreadPoolExecutor(4) as pool:
        statuses = sorted(pool.map(lambda _: use(), range(4)))
    assert statuses == [302, 400, 400, 400]
    assert rows()["sessions"] == 1 and rows()["lti_handoffs"] == 0
