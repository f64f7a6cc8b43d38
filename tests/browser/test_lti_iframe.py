"""The tool in a platform's iframe on another site (platform on 127.0.0.1, tool on localhost), cookies or none."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

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


def _without_cookies(route: Route) -> None:
    """Let the request reach the tool without cookies, as from a browser that blocks the tool's cookies here.

    The browser adds cookies after interception, so they are cleared before the request goes on.
    (Fulfilling the tool's responses without Set-Cookie does not work: Chromium counts a fulfilled
    document as public and then blocks its navigations to the loopback platform.)
    """
    route.request.frame.page.context.clear_cookies()
    route.continue_()


def _set_cookies_dropped(route: Route) -> None:
    """Answer with the tool's response minus its Set-Cookie headers, as a browser that blocks them stores none.

    Only for a redirect: Chromium counts a fulfilled document as public and blocks its navigations to
    loopback, and the browser follows the redirect itself (the request after it is not intercepted).
    """
    response = route.fetch(max_redirects=0)
    route.request.frame.page.context.clear_cookies()  # the fetch shares the context's cookie jar
    headers = {name: value for name, value in response.headers.items() if name.lower() != "set-cookie"}
    route.fulfill(response=response, headers=headers)


@pytest.mark.parametrize("storage", ["frame", "parent"])
def test_with_the_launch_cookies_blocked_the_platforms_storage_carries_the_launch(
    page: Page, live_server, framing_platform, storage
):
    port = urlsplit(live_server.url).port
    tool = f"http://localhost:{port}"
    # The platform's post to /lti/launch comes without the state cookie; the platform offers its storage.
    page.route(f"{tool}/lti/launch", _without_cookies)
    requests_seen: list[str] = []
    page.on("request", lambda request: requests_seen.append(request.url))
    page.goto(f"{framing_platform.base_url}/course/101?target={tool}/lti/launch&storage={storage}")
    frame = page.frame_locator("#tool")
    expect(frame.get_by_role("button", name=re.compile(r"^(Start|Retake) the quiz$"))).to_be_visible(timeout=15000)
    tool_frame = next(f for f in page.frames if f.url.startswith(f"{tool}/"))
    assert tool_frame.url == f"{tool}/courses/medical-office-manager/quizzes/duties"
    # The launch went through the storage check, and the platform answered lti.capabilities at login and launch.
    assert f"{tool}/lti/launch/storage" in requests_seen
    assert page.evaluate("window.platformMessages") == ["lti.capabilities", "lti.capabilities"]
    # A storage frame of the platform (as Canvas has), or the platform's page itself, kept the data.
    keeper = page.frame(name="lti_storage_frame") if storage == "frame" else page.main_frame
    stored = keeper.evaluate("Object.keys(window.platformStorage)")
    assert sorted(key.split(" ")[1].split("_")[1] for key in stored) == ["nonce", "state"]
    assert all(key.startswith(f"{tool} ") for key in stored)  # kept under the tool's origin
    expect(frame.get_by_text("Ada Lovelace")).to_be_visible()  # signed in


def test_with_every_cookie_blocked_in_the_frame_a_new_window_opens_the_course(
    page: Page, live_server, framing_platform
):
    port = urlsplit(live_server.url).port
    tool = f"http://localhost:{port}"
    # Only this page's requests (the frame), not the new window's: the check cookie is never kept.
    page.route(f"{tool}/lti/login?*", _set_cookies_dropped)
    page.goto(f"{framing_platform.base_url}/course/101?target={tool}/lti/launch")
    frame = page.frame_locator("#tool")
    expect(frame.get_by_text("Your browser blocked this course's cookies")).to_be_visible(timeout=15000)
    with page.expect_popup() as opened:
        frame.get_by_role("link", name="Open the course in a new window").click()
    window = opened.value
    expect(window.get_by_role("button", name=re.compile(r"^(Start|Retake) the quiz$"))).to_be_visible(timeout=15000)
    assert window.url == f"{tool}/courses/medical-office-manager/quizzes/duties"
    expect(window.get_by_text("Ada Lovelace")).to_be_visible()  # signed in


def test_with_every_cookie_blocked_in_the_frame_the_storage_launch_hands_off_to_a_new_window(
    page: Page, live_server, framing_platform
):
    port = urlsplit(live_server.url).port
    tool = f"http://localhost:{port}"
    # Every request of this page (the frame) to the tool goes without cookies, so none set there is ever kept;
    # the new window's requests are its own page's and keep theirs.
    page.route(f"{tool}/**", _without_cookies)
    requests_seen: list[str] = []
    page.context.on("request", lambda request: requests_seen.append(request.url))
    page.goto(f"{framing_platform.base_url}/course/101?target={tool}/lti/launch&storage=frame")
    frame = page.frame_locator("#tool")
    expect(frame.get_by_text("Your browser blocked this course's cookies")).to_be_visible(timeout=15000)
    assert f"{tool}/lti/launch/storage" in requests_seen
    page.context.clear_cookies()  # the session cookie the launch answered with was never kept
    with page.expect_popup() as opened:
        frame.get_by_role("link", name="Open the course in a new window").click()
    window = opened.value
    expect(window.get_by_role("button", name=re.compile(r"^(Start|Retake) the quiz$"))).to_be_visible(timeout=15000)
    assert window.url == f"{tool}/courses/medical-office-manager/quizzes/duties"  # no token left in the URL
    assert any(url.startswith(f"{tool}/lti/handoff/") for url in requests_seen)
    assert window.evaluate("document.referrer") == "" and window.evaluate("window.opener") is None
    expect(window.get_by_text("Ada Lovelace")).to_be_visible()  # signed in
    # The link works once: opened again, it is refused.
    again = window.context.new_page()
    again.goto(next(url for url in requests_seen if url.startswith(f"{tool}/lti/handoff/")))
    expect(again.get_by_text("This link to open the course was used already or has expired.")).to_be_visible()
