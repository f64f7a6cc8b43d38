"""Setting the tool up: dynamic registration end to end, the CLI, the Canvas JSON, the administrators' page, framing."""

from __future__ import annotations

import zipfile

import requests
from sqlalchemy import func, select

from lms.extensions import db
from lms.lti import claims as c
from lms.models import LtiPlatform, LtiRegistrationToken
from lms.services.lti.platforms import find_platform

from .conftest import COURSE, TOOL


def _registration_url(runner, *args) -> str:
    result = runner.invoke(args=["lms", "lti", "registration-url", "--base-url", TOOL, *args])
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[0]


def test_dynamic_registration_end_to_end_then_a_launch(app, client, runner, platform, lti):
    platform.redirect_uris = set()
    url = _registration_url(runner, "--course", COURSE)
    assert url.startswith(f"{TOOL}/lti/register/")
    query = {
        "openid_configuration": f"{platform.base_url}/.well-known/openid-configuration",
        "registration_token": platform.registration_token,
    }
    page = client.get(url.removeprefix(TOOL), query_string=query)
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    assert "js/lti-close.js" in page.get_data(as_text=True)
    assert "frame-ancestors *" in page.headers["Content-Security-Policy"]
    sent = platform.registrations[0]
    assert sent["initiate_login_uri"] == f"{TOOL}/lti/login" and sent["jwks_uri"] == f"{TOOL}/lti/jwks.json"
    assert sent[c.TOOL_CONFIGURATION]["custom_parameters"] == {"course_id": COURSE}
    registered = find_platform(platform.issuer, platform.client_id)
    assert registered is not None and registered.course_id == COURSE
    assert [d.deployment_id for d in registered.deployments] == [platform.deployment_id]
    # The token works once.
    again = client.get(url.removeprefix(TOOL), query_string=query)
    assert again.status_code == 404
    # The platform now launches with its new client id.
    assert lti.launch(app.test_client()).status_code == 302


def test_registration_without_a_valid_token_does_nothing(client, platform):
    query = {"openid_configuration": f"{platform.base_url}/.well-known/openid-configuration"}
    assert client.get("/lti/register/made-up-token", query_string=query).status_code == 404
    assert platform.registrations == []


def test_a_failed_registration_keeps_the_token_for_another_try(client, runner, platform):
    url = _registration_url(runner)
    query = {"openid_configuration": f"{platform.base_url}/.well-known/openid-configuration"}
    failed = client.get(url.removeprefix(TOOL), query_string=query)  # no registration_token: the platform says 401
    assert failed.status_code == 400 and "did not work" in failed.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(LtiRegistrationToken.used_at)) is None
    assert db.session.scalar(select(func.count()).select_from(LtiPlatform)) == 1  # the fixture's own


def test_add_list_and_remove_a_platform_by_hand(runner, platform):
    args = ["lms", "lti", "add-platform", "--issuer", "https://brightspace.example", "--client-id", "abc"]
    args += ["--deployment-id", "d1", "--deployment-id", "d2", "--auth-url", "https://brightspace.example/auth"]
    args += ["--token-url", "https://auth.brightspace.com/core/connect/token", "--jwks-url", "https://b.example/jwks"]
    args += ["--token-audience", "https://api.brightspace.com/auth/token"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=args)
    assert again.exit_code != 0 and "registered already" in again.output
    listing = runner.invoke(args=["lms", "lti", "list"]).output
    assert "https://brightspace.example\tclient abc\td1, d2" in listing
    platform_id = find_platform("https://brightspace.example", "abc").id
    assert runner.invoke(args=["lms", "lti", "remove", str(platform_id), "--yes"]).exit_code == 0
    assert find_platform("https://brightspace.example", "abc") is None
    bad = runner.invoke(args=[("ftp://x" if arg == "https://brightspace.example/auth" else arg) for arg in args])
    assert bad.exit_code != 0 and "http(s) URL" in bad.output


def test_the_canvas_json_names_the_tool_urls(tool_url):
    body = requests.get(f"{tool_url}/lti/config.json", timeout=5).json()
    assert body["oidc_initiation_url"] == f"{tool_url}/lti/login"
    assert body["public_jwk_url"] == f"{tool_url}/lti/jwks.json"


def test_the_setup_page_is_for_administrators(app, admin, make_user, platform):
    page = app.test_client(user=admin).get("/lti/setup")
    assert page.status_code == 200
    assert f"{TOOL}/lti/login" in page.get_data(as_text=True) and platform.issuer in page.get_data(as_text=True)
    assert app.test_client(user=make_user()).get("/lti/setup").status_code == 403


def test_registered_platforms_may_frame_lti_pages_and_sessions_only(app, client, lti, platform):
    assert f"frame-ancestors {platform.base_url}" in client.get("/lti/jwks.json").headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in client.get("/").headers["Content-Security-Policy"]
    launched = app.test_client()
    lesson = launched.get(lti.launch(launched).location)
    assert f"frame-ancestors {platform.base_url}" in lesson.headers["Content-Security-Policy"]


def test_the_cartridge_has_one_link_per_lesson(runner, app, course, tmp_path):
    target = tmp_path / "course.imscc"
    result = runner.invoke(args=["lms", "lti", "cartridge", "--base-url", TOOL, "-o", str(target)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        first = archive.read("lti/R_1.xml").decode()
    assert "imsmanifest.xml" in names and len(names) == 1 + len(course.lessons)
    assert f"{TOOL}/lti/launch" in first and course.lessons[0].id in first


def test_rotating_the_instance_key_keeps_the_old_one_published(app, runner, tmp_path, tool_url):
    app.config["LTI_PRIVATE_KEY"] = None
    old = requests.get(f"{tool_url}/lti/jwks.json", timeout=5).json()["keys"]
    assert (tmp_path / "lti-key.pem").exists() and len(old) == 1
    result = runner.invoke(args=["lms", "lti", "rotate-key", "--keep-days", "2"])
    assert result.exit_code == 0, result.output
    keys = requests.get(f"{tool_url}/lti/jwks.json", timeout=5).json()["keys"]
    assert len(keys) == 2 and keys[1]["kid"] == old[0]["kid"] and keys[0]["kid"] != old[0]["kid"]
