"""Launches when the browser blocks the tool's cookies in the platform's frame: the platform's storage, or a new window.

A browser that drops our cookies is a test client that keeps none (`use_cookies=False`); the
platform is the real test platform over HTTP. The steps the tool's script takes in the browser
(lti.put_data, lti.get_data, posting the launch on) are taken here by hand, with the Origin header
the browser would send; tests/browser runs the script itself.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from lms.extensions import db
from lms.lti.keys import ToolKey
from lms.models import Enrollment, LtiHandoff, UserIdentity

from ..flow import FormReader
from .conftest import COURSE, TOOL

STORAGE_FRAME = "lti_storage_frame"


class StorageBox(HTMLParser):
    """Reads the data attributes of the page's #lti-storage element, its links, and every form's action and fields."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self.forms: list[tuple[dict[str, str], dict[str, str]]] = []
        self.links: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if values.get("id") == "lti-storage":
            self.data = {
                name.removeprefix("data-"): value for name, value in values.items() if name.startswith("data-")
            }
        elif tag == "a":
            self.links.append(values)
        elif tag == "form":
            self.forms.append((values, {}))
        elif tag == "input" and self.forms and values.get("name"):
            self.forms[-1][1][values["name"]] = values.get("value", "")


def read(response) -> StorageBox:
    """The storage element and forms of a page."""
    box = StorageBox()
    box.feed(response.get_data(as_text=True))
    return box


def platform_form(auth_url: str) -> dict[str, str]:
    """What the platform's authorization endpoint posts back (id_token and state)."""
    answer = requests.get(auth_url, timeout=5)
    assert answer.status_code == 200, answer.text
    form = FormReader()
    form.feed(answer.text)
    assert form.action == f"{TOOL}/lti/launch"
    return form.fields


@pytest.fixture
def blocking(app):
    """A browser that blocks every cookie of the tool in the frame."""
    return app.test_client(use_cookies=False)


def storage_login(client, platform, target: str = STORAGE_FRAME) -> StorageBox:
    """Start a login with the platform's storage; return the page that stores the state."""
    params = platform.login_params(f"{TOOL}/lti/launch", storage_target=target)
    response = client.get("/lti/login", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return read(response)


def storage_launch_page(client, platform) -> tuple[StorageBox, dict[str, str]]:
    """A storage login and the platform's post back to the launch URL without a state cookie."""
    login = storage_login(client, platform)
    fields = platform_form(login.data["auth-url"])
    response = client.post("/lti/launch", data=fields)
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    # The page sets the state cookie again: the post on shows whether the browser keeps cookies in the frame.
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"lti_state_{fields['state']}="))
    assert all(part in cookie for part in ("Path=/lti/launch;", "SameSite=None", "Secure", "Partitioned"))
    return read(response), fields


def post_on(client, fields: dict[str, str], origin: str | None = TOOL):
    """The storage page posting the launch on, from the tool's origin (as the browser says in Origin)."""
    headers = {"Origin": origin} if origin else {}
    return client.post("/lti/launch/storage", data=fields, headers=headers)


def test_a_browser_that_drops_the_check_cookie_gets_the_new_window_page(blocking, platform, nonce_count, counts):
    before = counts()
    params = platform.login_params(f"{TOOL}/lti/launch")
    first = blocking.post("/lti/login", data=params)
    assert first.status_code == 302 and urlsplit(first.location).path == "/lti/login"
    probe = next(h for h in first.headers.getlist("Set-Cookie") if h.startswith("lti_cookies="))
    assert "SameSite=None" in probe and "Secure" in probe and "Partitioned" in probe
    page = blocking.get(first.location)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Your browser blocked this course's cookies inside your course platform's page" in text
    [link] = [link for link in read(page).links if link.get("target") == "_blank"]
    url = urlsplit(link["href"])
    assert url.path == "/lti/login"
    assert {name: values[0] for name, values in parse_qs(url.query).items()} == params  # nothing of ours
    assert "Open the course\n  in a new window</a>" in text
    assert nonce_count() == 0 and counts() == before


def test_the_new_window_completes_the_launch(app, blocking, platform):
    page = blocking.get(blocking.get("/lti/login", query_string=platform.login_params(f"{TOOL}/lti/launch")).location)
    [link] = [link for link in read(page).links if link.get("target") == "_blank"]
    window = app.test_client()  # top-level: the browser keeps our cookies there
    check = window.get(link["href"])
    answer = window.get(check.location)
    assert answer.status_code == 302 and answer.location.startswith(f"{platform.base_url}/auth?")
    response = window.post("/lti/launch", data=platform_form(answer.location))
    assert response.location == f"/courses/{COURSE}/lessons/duties"
    assert window.get(response.location).status_code == 200
    assert db.session.execute(select(Enrollment)).scalar_one().role == "learner"


def test_a_browser_that_keeps_cookies_passes_the_check_once(client, platform):
    params = platform.login_params(f"{TOOL}/lti/launch")
    assert urlsplit(client.get("/lti/login", query_string=params).location).path == "/lti/login"
    # With the check cookie kept, the next login goes straight to the platform.
    assert client.get("/lti/login", query_string=params).location.startswith(f"{platform.base_url}/auth?")


def test_the_storage_login_stores_the_state_and_nonce_in_the_platforms_frame(blocking, platform, nonce_count):
    login = storage_login(blocking, platform)
    data = login.data
    assert (data["mode"], data["platform-origin"], data["storage-target"]) == (
        "login",
        platform.base_url,
        STORAGE_FRAME,
    )
    query = parse_qs(urlsplit(data["auth-url"]).query)
    assert query["state"] == [data["state"]] and query["nonce"] == [data["nonce"]]
    assert (data["state-key"], data["nonce-key"]) == (f"lti_state_{data['state']}", f"lti_nonce_{data['nonce']}")
    assert data["state"].startswith("ps.")
    # Without an answer from the platform's storage the page falls back to the cookie check.
    fallback = parse_qs(urlsplit(data["fallback-url"]).query)
    assert fallback["lti_cookie_check"] == ["1"] and "lti_storage_target" not in fallback
    assert nonce_count() == 1


def test_a_storage_login_still_launches_by_cookie_when_the_browser_keeps_it(client, platform):
    login = storage_login(client, platform)
    response = client.post("/lti/launch", data=platform_form(login.data["auth-url"]))
    assert response.status_code == 302 and response.location == f"/courses/{COURSE}/lessons/duties"


def test_the_storage_round_trip_completes_the_launch(app, blocking, platform, counts):
    before = counts()
    page, fields = storage_launch_page(blocking, platform)
    # The launch page asks the platform's storage for this state and nonce, and writes nothing yet.
    assert counts() == before
    data = page.data
    assert (data["mode"], data["platform-origin"], data["state"]) == ("launch", platform.base_url, fields["state"])
    assert data["state-key"] == f"lti_state_{fields['state']}" and data["nonce-key"].startswith("lti_nonce_")
    [(form, posted)] = page.forms
    assert (form["method"], form["action"]) == ("post", "/lti/launch/storage")
    assert posted == fields
    # A browser that keeps our cookies in the frame now: it sends back the state cookie the launch page set.
    browser = app.test_client()
    browser.set_cookie(f"lti_state_{fields['state']}", "1", path="/lti/launch")
    response = post_on(browser, posted)
    assert response.status_code == 302 and response.location == f"/courses/{COURSE}/lessons/duties"
    assert not db.session.execute(select(LtiHandoff)).first()  # no hand-off for a browser that keeps cookies
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "SameSite=None" in cookie and "Partitioned" in cookie
    assert browser.get(response.location).status_code == 200
    assert db.session.execute(select(UserIdentity)).scalar_one().subject == "learner-1"


@pytest.mark.parametrize("origin", [None, "https://evil.example", "null", "the platform"])
def test_a_storage_launch_not_posted_by_the_tools_page_is_refused(blocking, platform, counts, nonce_count, origin):
    _, fields = storage_launch_page(blocking, platform)
    before, nonces = counts(), nonce_count()
    response = post_on(blocking, fields, platform.base_url if origin == "the platform" else origin)
    assert response.status_code == 400 and "<code>wrong_state</code>" in response.get_data(as_text=True)
    assert counts() == before and nonce_count() == nonces  # the nonce is not spent


def test_a_state_of_another_storage_login_is_refused(blocking, platform, counts, nonce_count):
    first = storage_login(blocking, platform)
    second = storage_login(blocking, platform)
    fields = platform_form(first.data["auth-url"])
    swapped = {**fields, "state": second.data["state"]}
    before, nonces = counts(), nonce_count()
    for url, headers in (("/lti/launch", {}), ("/lti/launch/storage", {"Origin": TOOL})):
        response = blocking.post(url, data=swapped, headers=headers)
        assert response.status_code == 400 and "<code>wrong_state</code>" in response.get_data(as_text=True)
    made_up = {**fields, "state": "ps.made-up.0123456789abcdef0123456789abcdef"}
    response = post_on(blocking, made_up)
    assert "<code>wrong_state</code>" in response.get_data(as_text=True)
    assert counts() == before and nonce_count() == nonces


def test_a_plain_state_without_its_cookie_stays_refused(client, blocking, platform, lti, counts):
    login = lti.login(client)  # a browser that keeps cookies logs in; another one posts its launch
    fields = platform_form(login.auth_url)
    before = counts()
    response = blocking.post("/lti/launch", data=fields)
    assert response.status_code == 400 and "<code>wrong_state</code>" in response.get_data(as_text=True)
    # Nor can it be posted to the storage launch: its state is not a storage login's.
    response = post_on(blocking, fields)
    assert response.status_code == 400 and "<code>wrong_state</code>" in response.get_data(as_text=True)
    assert counts() == before


def test_a_storage_launch_is_used_once(app, blocking, platform, counts):
    _, fields = storage_launch_page(blocking, platform)
    assert post_on(blocking, fields).status_code == 200  # the hand-off page
    before = counts()
    again = post_on(blocking, fields)
    assert again.status_code == 400 and "<code>replayed_nonce</code>" in again.get_data(as_text=True)
    assert counts() == before


def test_a_forged_token_with_a_storage_state_writes_nothing(blocking, platform, counts, nonce_count):
    login = storage_login(blocking, platform)
    token = platform.sign(
        platform.launch_claims(login.data["nonce"]), key=ToolKey.generate(), kid=platform.signing_key.kid
    )
    before, nonces = counts(), nonce_count()
    response = post_on(blocking, {"id_token": token, "state": login.data["state"]})
    assert response.status_code == 400 and "<code>bad_signature</code>" in response.get_data(as_text=True)
    assert counts() == before and nonce_count() == nonces
