"""LTI Dynamic Registration against the test platform, end to end, and its refusals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.lti import claims as c
from lms.lti.errors import RegistrationError
from lms.lti.registration import fetch_platform_configuration, read_platform_configuration, register, tool_registration
from lms.lti.stores import PlatformList


def test_dynamic_registration_end_to_end_then_a_launch_with_the_new_client(
    platform, tool, http, validator, issue_nonce
):
    platform.redirect_uris = set()
    configuration = fetch_platform_configuration(http, f"{platform.base_url}/.well-known/openid-configuration")
    assert configuration.issuer == platform.issuer and configuration.product_family_code == "moodle"
    registration = tool_registration(tool.config, configuration, custom_parameters={"course_id": "office"})
    registered = register(http, configuration, registration, platform.registration_token)

    sent = platform.registrations[0]
    assert sent["initiate_login_uri"] == tool.config.login_url
    assert sent["jwks_uri"] == tool.config.jwks_url
    assert tool.config.launch_url in sent["redirect_uris"]
    assert set(sent["scope"].split()) == set(c.TOOL_SCOPES)
    assert sent[c.TOOL_CONFIGURATION]["messages"][0]["type"] == c.DEEP_LINKING_REQUEST
    assert sent[c.TOOL_CONFIGURATION]["custom_parameters"] == {"course_id": "office"}
    assert "email" in sent[c.TOOL_CONFIGURATION]["claims"]

    assert registered.issuer == platform.issuer
    assert registered.client_id == platform.client_id and registered.client_id.startswith("registered-")
    assert registered.deployment_ids == frozenset({platform.deployment_id})
    assert registered.auth_login_url == f"{platform.base_url}/auth"
    assert registered.auth_token_url == f"{platform.base_url}/token"
    assert registered.jwks_url == f"{platform.base_url}/jwks"

    validator.platforms = PlatformList([registered])
    assert validator.validate(platform.launch_jwt(issue_nonce()), "s", "s").client_id == registered.client_id


def test_only_scopes_the_platform_offers_are_asked_for(platform, tool):
    document = {**platform.configuration(), "scopes_supported": ["openid", c.SCOPE_SCORE]}
    configuration = read_platform_configuration(document, f"{platform.base_url}/.well-known/openid-configuration")
    assert tool_registration(tool.config, configuration)["scope"] == c.SCOPE_SCORE


def test_a_configuration_that_claims_another_issuer_is_refused(platform, http):
    platform.claimed_issuer = "https://moodle.elsewhere.example"
    with pytest.raises(RegistrationError, match="host"):
        fetch_platform_configuration(http, f"{platform.base_url}/.well-known/openid-configuration")


def test_a_canvas_configuration_with_the_shared_canvas_issuer_is_accepted_from_the_schools_host(platform):
    document = {**platform.configuration(), "issuer": "https://canvas.instructure.com"}
    url = "https://school.instructure.com/api/lti/security/openid-configuration"
    assert read_platform_configuration(document, url).issuer == "https://canvas.instructure.com"


def test_a_registration_with_a_wrong_token_is_refused(platform, tool, http):
    configuration = fetch_platform_configuration(http, f"{platform.base_url}/.well-known/openid-configuration")
    with pytest.raises(RegistrationError, match="401"):
        register(http, configuration, tool_registration(tool.config, configuration), "wrong-token")
    assert platform.registrations == []


def test_an_unreachable_configuration_is_a_registration_error(http):
    with pytest.raises(RegistrationError):
        fetch_platform_configuration(http, "http://127.0.0.1:9/.well-known/openid-configuration")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"token_endpoint": None}, "token_endpoint"),
        ({"registration_endpoint": ""}, "registration_endpoint"),
        ({"id_token_signing_alg_values_supported": ["ES256"]}, "RS256"),
        ({"issuer": "http://["}, "host"),
        ({"issuer": "moodle"}, "host"),
    ],
)
def test_an_unusable_configuration_is_refused(platform, change, problem):
    document = {**platform.configuration(), **change}
    with pytest.raises(RegistrationError, match=problem):
        read_platform_configuration(document, f"{platform.base_url}/.well-known/openid-configuration")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6,
)
FIELDS = [
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "jwks_uri",
    "registration_endpoint",
    "scopes_supported",
    "id_token_signing_alg_values_supported",
    "authorization_server",
    c.PLATFORM_CONFIGURATION,
]


@settings(max_examples=150, deadline=None)
@given(changes=st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=3))
def test_any_configuration_reads_or_is_refused_with_a_registration_error(changes):
    document = {
        "issuer": "https://moodle.example",
        "authorization_endpoint": "https://moodle.example/auth",
        "token_endpoint": "https://moodle.example/token",
        "jwks_uri": "https://moodle.example/jwks",
        "registration_endpoint": "https://moodle.example/register",
        **changes,
    }
    try:
        configuration = read_platform_configuration(document, "https://moodle.example/.well-known/openid-configuration")
    except RegistrationError:
        return
    assert all(isinstance(scope, str) for scope in configuration.scopes_supported)
    assert configuration.product_family_code is None or isinstance(configuration.product_family_code, str)
