"""Deep Linking 2.0: a deep-linking launch from the platform, and the signed response for one and several items."""

from __future__ import annotations

from dataclasses import replace

import jwt
import pytest
import requests

from lms.lti import claims as c
from lms.lti.deep_linking import LineItemSpec, ResourceLinkItem, response_form, response_jwt
from lms.lti.errors import DeepLinkingError
from lms.lti.keys import ToolKey
from lms.lti.roles import MEMBERSHIP, CourseRole

from .flow import oidc_launch


def lesson(lesson_id: str, title: str) -> ResourceLinkItem:
    return ResourceLinkItem(
        title=title,
        url=f"https://tool.example/lti/launch?lesson={lesson_id}",
        custom={"course_id": "office", "lesson_id": lesson_id},
        line_item=LineItemSpec(label=title, resource_id=f"office/{lesson_id}"),
    )


@pytest.fixture
def request_message(platform, tool, nonces, validator):
    """A deep-linking request that went through the OIDC flow."""
    redirect, fields = oidc_launch(platform, tool, nonces, message_hint="deep-link")
    return validator.validate(fields["id_token"], fields["state"], redirect.state)


def verify(token: str, tool, platform) -> dict:
    """Decode a response the way the platform does: with the tool's public key from its JWKS."""
    public = jwt.PyJWK(tool.keyset.current.jwk()).key
    return jwt.decode(token, public, algorithms=["RS256"], audience=platform.issuer, issuer=platform.client_id)


def test_a_deep_linking_launch_carries_its_settings(request_message, platform):
    settings = request_message.deep_linking
    assert request_message.message_type == c.DEEP_LINKING_REQUEST
    assert settings is not None and settings.return_url == f"{platform.base_url}/deep-link-return"
    assert settings.accept_types == ("ltiResourceLink",) and settings.accept_multiple
    assert request_message.resource_link_id is None


def test_a_response_with_one_item_is_signed_by_the_tool_and_names_course_and_lesson(request_message, tool, platform):
    token = response_jwt(request_message, [lesson("intro", "Introduction")], tool.keyset.current)
    assert jwt.get_unverified_header(token)["kid"] == tool.keyset.current.kid
    claims = verify(token, tool, platform)
    assert claims[c.MESSAGE_TYPE] == c.DEEP_LINKING_RESPONSE
    assert claims[c.VERSION] == "1.3.0"
    assert claims[c.DEPLOYMENT_ID] == platform.deployment_id
    assert claims[c.DL_DATA] == "opaque-platform-data"
    assert claims["nonce"]
    assert claims[c.DL_CONTENT_ITEMS] == [
        {
            "type": "ltiResourceLink",
            "title": "Introduction",
            "url": "https://tool.example/lti/launch?lesson=intro",
            "custom": {"course_id": "office", "lesson_id": "intro"},
            "lineItem": {"scoreMaximum": 100, "label": "Introduction", "resourceId": "office/intro"},
        }
    ]


def test_a_response_with_several_items_keeps_their_order(request_message, tool, platform):
    items = [lesson("intro", "Introduction"), lesson("billing", "Billing"), lesson("hipaa", "HIPAA")]
    claims = verify(response_jwt(request_message, items, tool.keyset.current, message="3 added"), tool, platform)
    assert [item["custom"]["lesson_id"] for item in claims[c.DL_CONTENT_ITEMS]] == ["intro", "billing", "hipaa"]
    assert claims[c.DL_MESSAGE] == "3 added"


def test_the_response_form_posts_the_jwt_to_the_return_url(request_message, tool, platform):
    token = response_jwt(request_message, [lesson("intro", "Introduction")], tool.keyset.current)
    form = response_form(request_message, token)
    assert form.action == f"{platform.base_url}/deep-link-return"
    assert form.fields == {"JWT": token}


def test_several_items_where_the_platform_takes_one_are_refused(request_message, tool):
    single = replace(request_message, deep_linking=replace(request_message.deep_linking, accept_multiple=False))
    with pytest.raises(DeepLinkingError):
        response_jwt(single, [lesson("a", "A"), lesson("b", "B")], tool.keyset.current)
    assert response_jwt(single, [lesson("a", "A")], tool.keyset.current)


def test_resource_links_where_the_platform_takes_other_types_are_refused(request_message, tool):
    files_only = replace(request_message, deep_linking=replace(request_message.deep_linking, accept_types=("file",)))
    with pytest.raises(DeepLinkingError):
        response_jwt(files_only, [lesson("a", "A")], tool.keyset.current)


def test_a_resource_link_launch_cannot_be_answered_with_deep_links(platform, validator, issue_nonce, tool):
    launch = validator.validate(platform.launch_jwt(issue_nonce(), roles=[MEMBERSHIP + "Instructor"]), "s", "s")
    assert launch.course_role is CourseRole.INSTRUCTOR
    with pytest.raises(DeepLinkingError):
        response_jwt(launch, [lesson("a", "A")], tool.keyset.current)
    with pytest.raises(DeepLinkingError):
        response_form(launch, "token")


def test_the_platform_accepts_the_posted_response_and_keeps_its_items(request_message, tool, platform):
    items = [lesson("intro", "Introduction"), lesson("billing", "Billing")]
    form = response_form(request_message, response_jwt(request_message, items, tool.keyset.current))
    answer = requests.post(form.action, data=dict(form.fields), timeout=5)
    assert answer.status_code == 200, answer.text
    assert [item["lineItem"]["resourceId"] for item in platform.deep_link_items] == ["office/intro", "office/billing"]


def test_the_platform_refuses_a_response_signed_with_a_key_the_tool_does_not_publish(request_message, platform):
    form = response_form(request_message, response_jwt(request_message, [lesson("a", "A")], ToolKey.generate()))
    assert requests.post(form.action, data=dict(form.fields), timeout=5).status_code == 400
    assert platform.deep_link_items == []
