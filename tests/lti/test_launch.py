"""Launch validation against the test platform over HTTP: the good launch, and every way a launch must fail."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import replace
from urllib.parse import parse_qsl, urlsplit

import jwt
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.lti import claims as c
from lms.lti import errors
from lms.lti.jwks import cache_seconds
from lms.lti.keys import ToolKey
from lms.lti.login import authorization_redirect, parse_login_request
from lms.lti.roles import MEMBERSHIP, CourseRole
from lms.lti.stores import PlatformList

from .flow import FrameReader, oidc_launch, tool_base


def test_a_launch_through_the_oidc_flow_parses_into_a_launch_message(platform, tool, nonces, validator):
    redirect, fields = oidc_launch(platform, tool, nonces)
    message = validator.validate(fields["id_token"], fields["state"], redirect.state)
    assert message.message_type == c.RESOURCE_LINK_REQUEST
    assert (message.issuer, message.client_id, message.deployment_id) == (
        platform.issuer,
        platform.client_id,
        platform.deployment_id,
    )
    assert (message.subject, message.name, message.email) == ("learner-1", "Ada Lovelace", "ada@example.edu")
    assert message.course_role is CourseRole.LEARNER
    assert (message.context_id, message.context_title) == ("course-101", "Medical Office 101")
    assert message.resource_link_id == "link-1"
    assert message.target_link_uri == "https://tool.example/lti/launch"
    assert message.custom == {"course_id": "office", "lesson_id": "intro"}
    assert message.ags is not None and message.ags.lineitem_url == f"{platform.base_url}/lineitems/1"
    assert c.SCOPE_SCORE in message.ags.scopes
    assert message.nrps is not None and message.nrps.context_memberships_url == f"{platform.base_url}/memberships"
    assert message.document_target == "iframe"
    assert message.platform_product == "moodle"
    assert message.deep_linking is None


def test_the_platforms_course_page_frames_the_tools_login_with_the_launch_parameters(platform, tool):
    page = requests.get(f"{platform.base_url}/course/101", params={"target": tool.config.launch_url}, timeout=5)
    reader = FrameReader()
    reader.feed(page.text)
    url = urlsplit(reader.src)
    assert f"{url.scheme}://{url.netloc}{url.path}" == tool.config.login_url
    params = dict(parse_qsl(url.query))
    assert params == platform.login_params(tool.config.launch_url)
    assert parse_login_request(params, tool_base(tool)).target_link_uri == tool.config.launch_url


def test_the_same_posted_launch_is_refused_the_second_time(platform, tool, nonces, validator):
    redirect, fields = oidc_launch(platform, tool, nonces)
    validator.validate(fields["id_token"], fields["state"], redirect.state)
    with pytest.raises(errors.ReplayedNonce):
        validator.validate(fields["id_token"], fields["state"], redirect.state)


def test_an_instructor_launch_maps_the_role(platform, validator, issue_nonce):
    nonce = issue_nonce()
    token = platform.launch_jwt(nonce, roles=[MEMBERSHIP + "Instructor"], sub="teacher-1")
    message = validator.validate(token, "s", "s")
    assert (message.subject, message.course_role) == ("teacher-1", CourseRole.INSTRUCTOR)


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"iss": ""}, "iss"),
        ({"login_hint": ""}, "login_hint"),
        ({"target_link_uri": ""}, "target_link_uri"),
        ({"target_link_uri": "https://elsewhere.example/lti/launch"}, "not on this tool"),
    ],
)
def test_a_login_request_without_what_it_needs_is_refused(platform, tool, params, problem):
    values = {**platform.login_params(tool.config.launch_url), **params}
    with pytest.raises(errors.LoginError, match=problem):
        parse_login_request(values, tool_base(tool))


def test_a_login_from_an_unknown_platform_is_refused(platform, tool, nonces):
    login = parse_login_request(
        {**platform.login_params(tool.config.launch_url), "iss": "https://other.example"}, tool_base(tool)
    )
    with pytest.raises(errors.UnknownPlatform):
        authorization_redirect(login, PlatformList([platform.config()]), tool.config.launch_url, nonces)


def test_a_missing_or_different_state_is_refused(platform, validator, issue_nonce):
    token = platform.launch_jwt(issue_nonce())
    for state, expected in (("a", "b"), ("", "b"), ("a", None), (None, None), ("é", "e"), ("b", "é")):
        with pytest.raises(errors.WrongState):
            validator.validate(token, state, expected)


def now() -> int:
    return int(time.time())


@pytest.mark.parametrize(
    ("changes", "drop", "error"),
    [
        ({"exp": "past"}, (), errors.Expired),
        ({"iat": "future"}, (), errors.BadIssuedAt),
        ({"aud": "another-tool"}, (), errors.WrongAudience),
        ({"aud": ["another-tool", "CLIENT"]}, (), errors.WrongAudience),
        ({"aud": ["another-tool", "CLIENT"], "azp": "another-tool"}, (), errors.WrongAudience),
        ({"azp": "another-tool"}, (), errors.WrongAudience),
        ({"iss": "https://unknown.example"}, (), errors.UnknownPlatform),
        ({c.DEPLOYMENT_ID: "deployment-9"}, (), errors.UnknownDeployment),
        ({c.DEPLOYMENT_ID: ["deployment-1"]}, (), errors.MissingClaim),
        ({c.VERSION: "1.1.0"}, (), errors.WrongVersion),
        ({c.MESSAGE_TYPE: "LtiSubmissionReviewRequest"}, (), errors.WrongMessageType),
        ({}, ("sub",), errors.MissingClaim),
        ({}, ("exp",), errors.MissingClaim),
        ({}, ("iat",), errors.MissingClaim),
        ({}, ("nonce",), errors.MissingClaim),
        ({}, (c.VERSION,), errors.MissingClaim),
        ({}, (c.MESSAGE_TYPE,), errors.MissingClaim),
        ({}, (c.DEPLOYMENT_ID,), errors.MissingClaim),
        ({}, (c.ROLES,), errors.MissingClaim),
        ({}, (c.RESOURCE_LINK,), errors.MissingClaim),
        ({}, (c.TARGET_LINK_URI,), errors.MissingClaim),
        ({c.RESOURCE_LINK: {"title": "no id"}}, (), errors.MissingClaim),
        ({c.ROLES: "Learner"}, (), errors.MissingClaim),
        ({c.CONTEXT: {"title": "no id"}}, (), errors.MissingClaim),
        ({c.NRPS: {"service_versions": ["2.0"]}}, (), errors.MissingClaim),
        ({c.MESSAGE_TYPE: c.DEEP_LINKING_REQUEST}, (), errors.MissingClaim),
    ],
)
def test_a_launch_that_breaks_a_rule_fails_with_its_own_error(platform, validator, issue_nonce, changes, drop, error):
    stand_ins = {"past": now() - 3600, "future": now() + 3600, "CLIENT": platform.client_id}

    def resolve(value):
        if isinstance(value, list):
            return [resolve(item) for item in value]
        return stand_ins.get(value, value) if isinstance(value, str) else value

    changes = {name: resolve(value) for name, value in changes.items()}
    token = platform.launch_jwt(issue_nonce(), changes=changes, drop=drop)
    with pytest.raises(error) as raised:
        validator.validate(token, "s", "s")
    assert raised.value.code == error.code


def test_each_error_class_has_its_own_code():
    classes = [cls for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, errors.LtiError)]
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes))


def test_a_nonce_this_tool_never_issued_is_refused(platform, validator):
    with pytest.raises(errors.ReplayedNonce):
        validator.validate(platform.launch_jwt("made-up-nonce"), "s", "s")


def test_small_clock_skew_is_tolerated(platform, validator, issue_nonce):
    token = platform.launch_jwt(issue_nonce(), changes={"iat": now() + 20, "exp": now() - 20})
    assert validator.validate(token, "s", "s").subject == "learner-1"


def test_a_list_audience_with_our_client_as_azp_is_accepted(platform, validator, issue_nonce):
    changes = {"aud": [platform.client_id, "another"], "azp": platform.client_id}
    assert validator.validate(platform.launch_jwt(issue_nonce(), changes=changes), "s", "s").client_id


def test_a_token_signed_with_another_key_fails_and_does_not_spend_the_nonce(platform, validator, issue_nonce):
    nonce = issue_nonce()
    forged = platform.sign(platform.launch_claims(nonce), key=ToolKey.generate(), kid=platform.signing_key.kid)
    with pytest.raises(errors.BadSignature):
        validator.validate(forged, "s", "s")
    assert validator.validate(platform.launch_jwt(nonce), "s", "s").subject == "learner-1"


def test_a_tampered_payload_fails_the_signature(platform, validator, issue_nonce):
    header, payload, signature = platform.launch_jwt(issue_nonce()).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims[c.ROLES] = [MEMBERSHIP + "Instructor"]
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(errors.BadSignature):
        validator.validate(f"{header}.{forged_payload}.{signature}", "s", "s")


def test_a_token_not_signed_with_rs256_is_refused(platform, validator, issue_nonce):
    token = jwt.encode(platform.launch_claims(issue_nonce()), "k" * 64, algorithm="HS256")
    with pytest.raises(errors.WrongAlgorithm):
        validator.validate(token, "s", "s")


@pytest.mark.parametrize(
    ("token", "error"),
    [("", errors.MissingClaim), ("not-a-jwt", errors.MalformedToken), ("a.b.c", errors.MalformedToken)],
)
def test_a_token_that_is_not_a_jwt_is_refused(validator, token, error):
    with pytest.raises(error):
        validator.validate(token, "s", "s")


def test_an_unknown_kid_is_refetched_once_then_a_rotated_key_is_accepted(platform, validator, issue_nonce):
    validator.validate(platform.launch_jwt(issue_nonce()), "s", "s")
    assert platform.jwks_fetches == 1
    validator.validate(platform.launch_jwt(issue_nonce()), "s", "s")
    assert platform.jwks_fetches == 1, "the key set is cached"

    platform.rotate_key(retire_old=True)
    message = validator.validate(platform.launch_jwt(issue_nonce()), "s", "s")
    assert message.subject == "learner-1"
    assert platform.jwks_fetches == 2, "an unknown kid fetches the key set once more"

    unknown = platform.sign(platform.launch_claims(issue_nonce()), kid="no-such-kid")
    with pytest.raises(errors.UnknownKid):
        validator.validate(unknown, "s", "s")
    assert platform.jwks_fetches == 3
    with pytest.raises(errors.UnknownKid):
        validator.validate(unknown, "s", "s")
    assert platform.jwks_fetches == 3, "the same unknown kid does not fetch again at once"


def test_a_key_the_platform_no_longer_publishes_is_refused(platform, validator, issue_nonce):
    old = platform.signing_key
    platform.rotate_key(retire_old=False)
    token = platform.sign(platform.launch_claims(issue_nonce()), key=old)
    with pytest.raises(errors.UnknownKid):
        validator.validate(token, "s", "s")


@pytest.mark.parametrize("path", ["/missing", "/.well-known/openid-configuration"])
def test_a_platform_whose_key_set_cannot_be_read_refuses_the_launch(platform, validator, issue_nonce, path):
    token = platform.launch_jwt(issue_nonce())
    validator.platforms = PlatformList([replace(platform.config(), jwks_url=f"{platform.base_url}{path}")])
    with pytest.raises(errors.KeySetUnavailable):
        validator.validate(token, "s", "s")


@pytest.mark.parametrize(
    ("cache_control", "seconds"),
    [("max-age=600", 600), ("public, max-age=7200", 7200), ("", 3600), ("max-age=1", 60), ("max-age=9999999", 86400)],
)
def test_a_platform_key_set_is_cached_as_long_as_its_cache_control_says_within_bounds(cache_control, seconds):
    assert cache_seconds(cache_control) == seconds


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6,
)
CLAIM_NAMES = [
    "aud",
    "azp",
    "sub",
    "nonce",
    "name",
    "email",
    c.MESSAGE_TYPE,
    c.VERSION,
    c.DEPLOYMENT_ID,
    c.TARGET_LINK_URI,
    c.RESOURCE_LINK,
    c.ROLES,
    c.CONTEXT,
    c.CUSTOM,
    c.AGS_ENDPOINT,
    c.NRPS,
    c.DEEP_LINKING_SETTINGS,
    c.LAUNCH_PRESENTATION,
    c.TOOL_PLATFORM,
]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(st.sampled_from(CLAIM_NAMES), json_values, min_size=1, max_size=3))
def test_any_signed_claims_give_a_launch_or_a_launch_error_never_a_crash(platform, validator, issue_nonce, changes):
    token = platform.launch_jwt(issue_nonce(), changes=changes)
    try:
        message = validator.validate(token, "s", "s")
    except errors.LaunchError as error:
        assert type(error) is not errors.LaunchError, "always a specific failure with its own code"
    else:
        assert message.subject and isinstance(message.subject, str)
        assert message.deployment_id == platform.deployment_id
