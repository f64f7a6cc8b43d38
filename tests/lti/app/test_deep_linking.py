"""Deep linking through the tool: the picker, and a signed response the platform accepts, for one or many items."""

from __future__ import annotations

import re

import requests

from lms.lti.roles import MEMBERSHIP

from ..flow import FormReader
from .conftest import COURSE


def _open_picker(client, lti, platform):
    platform.user_roles = (MEMBERSHIP + "Instructor",)
    platform.custom = {}
    response = lti.launch(client, hint="deep-link")
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    assert response.location == "/lti/deep-link"
    page = client.get(response.location)
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _return_to_platform(client, choices):
    picked = client.post("/lti/deep-link", data={"item": choices})
    assert picked.status_code == 200, picked.get_data(as_text=True)[:1000]
    form = FormReader()
    form.feed(picked.get_data(as_text=True))
    return requests.post(form.action, data=form.fields, timeout=5), picked


def test_one_lesson_quiz_becomes_a_resource_link_with_a_line_item(client, lti, platform):
    page = _open_picker(client, lti, platform)
    assert f'value="quiz:{COURSE}:duties"' in page
    answer, picked = _return_to_platform(client, [f"quiz:{COURSE}:duties"])
    assert answer.status_code == 200, answer.text
    assert re.search(r"form-action 'self' http://127\.0\.0\.1:\d+", picked.headers["Content-Security-Policy"])
    [item] = platform.deep_link_items
    assert item["type"] == "ltiResourceLink" and item["url"] == "http://localhost/lti/launch"
    assert item["custom"] == {"course_id": COURSE, "lesson_id": "duties", "target": "quiz"}
    assert item["lineItem"]["scoreMaximum"] == 100 and item["lineItem"]["resourceId"] == f"{COURSE}/duties"


def test_several_items_in_one_response(client, lti, platform):
    _open_picker(client, lti, platform)
    answer, _ = _return_to_platform(client, [f"course:{COURSE}", f"lesson:{COURSE}:duties", f"quiz:{COURSE}:hipaa"])
    assert answer.status_code == 200, answer.text
    assert [item["custom"].get("target") for item in platform.deep_link_items] == ["course", "lesson", "quiz"]
    assert "lineItem" not in platform.deep_link_items[0]
    # The request is spent: the picker does not sign a second response.
    assert client.post("/lti/deep-link", data={"item": [f"course:{COURSE}"]}).status_code == 403


def test_an_unknown_pick_is_refused(client, lti, platform):
    _open_picker(client, lti, platform)
    assert client.post("/lti/deep-link", data={"item": ["lesson:nope:nope"]}).status_code == 400
    assert platform.deep_link_items == []


def test_a_learner_cannot_add_content(client, lti, platform):
    response = lti.launch(client, hint="deep-link")
    assert response.status_code == 400 and "deep_linking_not_staff" in response.get_data(as_text=True)
    assert client.get("/lti/deep-link").status_code == 403
