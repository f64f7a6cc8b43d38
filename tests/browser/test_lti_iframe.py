"""The tool in a platform's iframe on another site (platform on 127.0.0.1, tool on localhost): launch, take a quiz."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from lms.extensions import db
from lms.lti.keys import ToolKey
from lms.models import Attempt, LtiGradeOutbox
from lms.services.lti.platforms import PlatformDetails, add_platform

from ..lti.platform import Platform, create_app, serve


@pytest.fixture
def framing_platform(live_server) -> Iterator[Platform]:
    """A test platform on 127.0.0.1 registered with the tool, which it reaches (and frames) as localhost."""
    port = urlsplit(live_server.url).port
    tool = f"http://localhost:{port}"
    state = Platform(keys=[ToolKey.generate()])
    state.tool_jwks_url = f"{tool}/lti/jwks.json"
    state.redirect_uris = {f"{tool}/lti/launch"}
    state.tool_login_url = f"{tool}/lti/login"
    state.user_sub = f"framed-{time.time_ns()}"
    state.custom = {"course_id": "medical-office-manager", "lesson_id": "duties", "target": "quiz"}
    with serve(create_app(state)) as base_url:
        state.base_url = base_url
        config = state.config()
        with live_server.app.app_context():
            add_platform(
                PlatformDetails(
                    issuer=config.issuer,
                    client_id=config.client_id,
                    auth_login_url=config.auth_login_url,
                    auth_token_url=config.auth_token_url,
                    jwks_url=config.jwks_url,
                    deployment_ids=(state.deployment_id,),
                )
            )
            db.session.commit()
        yield state


def test_a_learner_takes_a_quiz_inside_the_platforms_iframe(page: Page, site, live_server, framing_platform):
    port = urlsplit(live_server.url).port
    target = f"http://localhost:{port}/lti/launch"
    page.goto(f"{framing_platform.base_url}/course/101?target={target}")
    frame_element = page.locator("#tool")
    expect(frame_element).to_be_visible()
    frame = page.frame_locator("#tool")
    start = frame.get_by_role("button", name=re.compile(r"^(Start|Retake) the quiz$"))
    expect(start).to_be_visible(timeout=15000)
    start.click()
    tool_frame = next(f for f in page.frames if f.url.startswith(f"http://localhost:{port}/"))
    tool_frame.wait_for_url(re.compile(r"/attempts/\d+$"))
    site.answer(tool_frame, correct=None)
    frame.get_by_role("button", name="Submit answers").click()
    tool_frame.wait_for_url(re.compile(r"/attempts/\d+/result$"))
    attempt_id = int(re.search(r"/attempts/(\d+)/result$", tool_frame.url).group(1))
    with live_server.app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.is_submitted and attempt.score == 100
        outbox = db.session.execute(db.select(LtiGradeOutbox).where(LtiGradeOutbox.attempt_id == attempt_id))
        assert {row.kind for row in outbox.scalars()} == {"lesson", "readiness"}
