"""Fixtures for the tool's LTI endpoints: the app served over HTTP, a test platform registered with it, launches."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import func, select

from lms.extensions import db
from lms.lti.keys import ToolKey
from lms.models import Cohort, Enrollment, LtiContext, LtiNonce, LtiResourceLink, User, UserIdentity
from lms.services.lti.platforms import PlatformDetails, add_platform

from ..flow import FormReader
from ..platform import Platform, create_app, serve

TOOL = "http://localhost"
COURSE = "medical-office-manager"
LAUNCH_TABLES = (User, UserIdentity, Enrollment, Cohort, LtiContext, LtiResourceLink)


@pytest.fixture
def app_config(tool_key: ToolKey, tmp_path) -> dict:
    """The tool signs with the session's tool key; a key file of its own would be made in tmp_path."""
    return {"LTI_PRIVATE_KEY": tool_key.private_pem(), "LTI_KEY_FILE": str(tmp_path / "lti-key.pem")}


@pytest.fixture
def tool_url(app) -> Iterator[str]:
    """The app served over real HTTP on a loopback port, for the platform's calls back (JWKS)."""
    with serve(app) as base_url:
        yield base_url


@pytest.fixture
def platform(platform_key: ToolKey, app, tool_url: str) -> Iterator[Platform]:
    """A running platform registered with the tool by hand, with one deployment; it launches into the real course."""
    state = Platform(keys=[platform_key])
    state.tool_jwks_url = f"{tool_url}/lti/jwks.json"
    state.redirect_uris = {f"{TOOL}/lti/launch"}
    state.tool_login_url = f"{TOOL}/lti/login"
    state.custom = {"course_id": COURSE, "lesson_id": "duties"}
    with serve(create_app(state)) as base_url:
        state.base_url = base_url
        config = state.config()
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


@dataclass
class Login:
    """What the tool's login step gave the browser: the platform's authorization URL, its state and nonce."""

    auth_url: str
    state: str
    nonce: str


@pytest.fixture
def lti(platform: Platform):
    """Drive launches through the tool's real endpoints as the browser would."""

    class Driver:
        def login(self, client, hint: str = "launch") -> Login:
            """Start a launch at /lti/login (past the cookie check); return where the tool sends the browser."""
            params = platform.login_params(f"{TOOL}/lti/launch", message_hint=hint)
            response = client.get("/lti/login", query_string=params)
            if response.status_code == 302 and urlsplit(response.location).path == "/lti/login":
                response = client.get(response.location)  # the cookie check: the test client keeps cookies
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
            query = parse_qs(urlsplit(response.location).query)
            return Login(response.location, query["state"][0], query["nonce"][0])

        def launch(self, client, hint: str = "launch"):
            """A whole launch: login, the platform's authorization form, the post to /lti/launch."""
            login = self.login(client, hint)
            answer = requests.get(login.auth_url, timeout=5)
            assert answer.status_code == 200, answer.text
            form = FormReader()
            form.feed(answer.text)
            assert form.action == f"{TOOL}/lti/launch"
            return client.post("/lti/launch", data=form.fields)

        def post(self, client, login: Login, token: str, state: str | None = None):
            """Post a chosen id_token to the launch URL as the platform's form would."""
            return client.post("/lti/launch", data={"id_token": token, "state": state or login.state})

    return Driver()


@pytest.fixture
def counts():
    """Row counts of the tables a launch writes (nonces apart), to show a refused launch wrote nothing."""

    def count() -> dict[str, int]:
        db.session.expire_all()
        return {
            model.__tablename__: db.session.scalar(select(func.count()).select_from(model)) for model in LAUNCH_TABLES
        }

    return count


@pytest.fixture
def nonce_count():
    """How many login nonces are waiting to be spent."""

    def count() -> int:
        db.session.expire_all()
        return db.session.scalar(select(func.count()).select_from(LtiNonce))

    return count
