"""AGS and NRPS against the test platform: access tokens, line items, scores (platform down, then up), members."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.lti import claims as c
from lms.lti import errors
from lms.lti.ags import AgsClient, LineItem, Score, scores_url
from lms.lti.keys import ToolKey
from lms.lti.messages import AgsEndpoint, NrpsEndpoint
from lms.lti.nrps import NrpsClient, read_member
from lms.lti.roles import INSTITUTION, MEMBERSHIP, TEACHING_ASSISTANT_SUBROLE, CourseRole
from lms.lti.stores import MemoryCache
from lms.lti.tokens import EXPIRY_MARGIN, TokenClient
from lms.lti.transport import HttpClient

from .test_stores import Clock

AGS_SCOPES = (c.SCOPE_LINEITEM, c.SCOPE_LINEITEM_READONLY, c.SCOPE_RESULT_READONLY, c.SCOPE_SCORE)


@pytest.fixture
def endpoint(platform) -> AgsEndpoint:
    """The AGS claim of a launch from the test platform, with one line item already there."""
    platform.line_items["1"] = {
        "id": f"{platform.base_url}/lineitems/1",
        "label": "Lesson: intro",
        "scoreMaximum": 100,
        "resourceId": "office/intro",
        "resourceLinkId": "link-1",
    }
    return AgsEndpoint(AGS_SCOPES, f"{platform.base_url}/lineitems", f"{platform.base_url}/lineitems/1")


@pytest.fixture
def ags(http, tokens, platform, endpoint) -> AgsClient:
    return AgsClient(http, tokens, platform.config(), endpoint)


def score(user_id: str = "learner-1", given: float = 80) -> Score:
    return Score(user_id, given, 100, "Completed", "FullyGraded", datetime(2026, 12, 1, 10, 0, tzinfo=UTC))


def test_an_access_token_is_fetched_with_a_signed_assertion_and_cached(tokens, platform):
    first = tokens.token(platform.config(), [c.SCOPE_SCORE])
    second = tokens.token(platform.config(), [c.SCOPE_SCORE])
    assert first == second
    assert platform.token_requests == 1
    assert platform.tokens[first] == {c.SCOPE_SCORE}
    other = tokens.token(platform.config(), [c.SCOPE_NRPS])
    assert other != first and platform.token_requests == 2


def test_a_cached_token_is_used_until_shortly_before_it_expires(http, tool, platform):
    clock = Clock()
    tokens = TokenClient(http, MemoryCache(clock), tool.keyset.current)
    platform.token_lifetime = 100
    first = tokens.token(platform.config(), [c.SCOPE_SCORE])
    clock.now += 100 - EXPIRY_MARGIN - 1
    assert tokens.token(platform.config(), [c.SCOPE_SCORE]) == first
    clock.now += 2
    assert tokens.token(platform.config(), [c.SCOPE_SCORE]) != first
    assert platform.token_requests == 2


def test_a_token_too_short_lived_to_cache_is_not_kept(tokens, platform):
    platform.token_lifetime = 20  # shorter than the safety margin: not worth caching
    tokens.token(platform.config(), [c.SCOPE_SCORE])
    tokens.token(platform.config(), [c.SCOPE_SCORE])
    assert platform.token_requests == 2


def test_the_platform_refuses_an_assertion_signed_with_a_key_the_tool_does_not_publish(http, cache, platform):
    stranger = TokenClient(http, cache, ToolKey.generate())
    with pytest.raises(errors.ServiceRefused) as raised:
        stranger.token(platform.config(), [c.SCOPE_SCORE])
    assert raised.value.status == 401 and not raised.value.retryable


def test_after_the_tool_rotates_its_key_the_platform_accepts_the_new_one(http, cache, platform, tool):
    new_key = ToolKey.generate()
    tool.keyset = tool.keyset.rotate(new_key, keep_old_for=timedelta(days=2), now=datetime.now(UTC))
    assert TokenClient(http, cache, new_key).token(platform.config(), [c.SCOPE_SCORE])


def test_line_items_are_listed_across_pages_and_filtered(ags, platform):
    for number in range(2, 5):
        ags.create_line_item(LineItem(f"Quiz {number}", 100, resource_id=f"office/quiz-{number}", tag="section"))
    items = ags.line_items()
    assert [item.label for item in items] == ["Lesson: intro", "Quiz 2", "Quiz 3", "Quiz 4"]
    assert [item.label for item in ags.line_items(tag="section")] == ["Quiz 2", "Quiz 3", "Quiz 4"]
    assert [item.id for item in ags.line_items(resource_link_id="link-1")] == [f"{platform.base_url}/lineitems/1"]


def test_ensure_line_item_creates_the_readiness_item_once(ags, platform):
    readiness = LineItem("Readiness", 100, resource_id="office/readiness", tag="readiness")
    created = ags.ensure_line_item(readiness)
    again = ags.ensure_line_item(readiness)
    assert created.id == again.id and created.id is not None
    assert sum(1 for item in platform.line_items.values() if item["label"] == "Readiness") == 1
    assert platform.line_items[created.id.rsplit("/", 1)[1]]["scoreMaximum"] == 100


def test_a_score_reaches_the_platform(ags, platform, endpoint):
    ags.post_score(endpoint.lineitem_url, score())
    assert platform.scores == [
        (
            "1",
            {
                "userId": "learner-1",
                "scoreGiven": 80,
                "scoreMaximum": 100,
                "activityProgress": "Completed",
                "gradingProgress": "FullyGraded",
                "timestamp": "2026-12-01T10:00:00.000+00:00",
            },
        )
    ]


def test_a_score_sent_while_the_platform_is_down_fails_retryably_then_arrives_once(ags, platform, endpoint):
    platform.down = True
    with pytest.raises(errors.ServiceUnavailable) as raised:
        ags.post_score(endpoint.lineitem_url, score())
    assert raised.value.retryable and raised.value.status == 503
    assert platform.scores == []
    platform.down = False
    ags.post_score(endpoint.lineitem_url, score())
    assert len(platform.scores) == 1


def test_a_platform_that_does_not_answer_in_time_is_retryable(tokens, platform, endpoint):
    platform.score_delay = 1.0
    slow = AgsClient(HttpClient(timeout=0.2), tokens, platform.config(), endpoint)
    with pytest.raises(errors.ServiceUnavailable, match="timed out"):
        slow.post_score(endpoint.lineitem_url, score())


def test_an_unreachable_platform_is_retryable(tokens, platform, endpoint):
    gone = AgsEndpoint(AGS_SCOPES, "http://127.0.0.1:9/lineitems", "http://127.0.0.1:9/lineitems/1")
    with pytest.raises(errors.ServiceUnavailable):
        AgsClient(HttpClient(timeout=1), tokens, platform.config(), gone).post_score(gone.lineitem_url, score())


def test_a_score_for_a_line_item_the_platform_does_not_have_is_refused_for_good(ags, platform):
    with pytest.raises(errors.ServiceRefused) as raised:
        ags.post_score(f"{platform.base_url}/lineitems/99", score())
    assert raised.value.status == 404 and not raised.value.retryable


def test_a_token_the_platform_forgot_is_replaced_once(ags, platform, endpoint):
    ags.post_score(endpoint.lineitem_url, score())
    platform.tokens.clear()
    ags.post_score(endpoint.lineitem_url, score(given=90))
    assert [body["scoreGiven"] for _, body in platform.scores] == [80, 90]
    assert platform.token_requests == 2


def test_a_scope_the_launch_did_not_grant_is_not_used(http, tokens, platform, endpoint):
    read_only = AgsEndpoint((c.SCOPE_LINEITEM_READONLY,), endpoint.lineitems_url, endpoint.lineitem_url)
    with pytest.raises(errors.ServiceRefused, match="scope"):
        AgsClient(http, tokens, platform.config(), read_only).post_score(endpoint.lineitem_url, score())
    assert platform.token_requests == 0


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"activity_progress": "Done"}, "activityProgress"),
        ({"grading_progress": "Graded"}, "gradingProgress"),
        ({"timestamp": datetime(2026, 12, 1, 10, 0)}, "time zone"),
        ({"score_maximum": 0}, "scoreMaximum"),
        ({"score_given": -1}, "scoreGiven"),
    ],
)
def test_a_score_that_breaks_the_spec_is_refused_before_sending(changes, problem):
    values = {
        "user_id": "u",
        "score_given": 1,
        "score_maximum": 100,
        "activity_progress": "Completed",
        "grading_progress": "FullyGraded",
        "timestamp": datetime.now(UTC),
        **changes,
    }
    with pytest.raises(ValueError, match=problem):
        Score(**values)


@pytest.mark.parametrize(
    ("line_item", "expected"),
    [
        ("https://lms.example/lineitems/1", "https://lms.example/lineitems/1/scores"),
        ("https://lms.example/lineitems/1/", "https://lms.example/lineitems/1/scores"),
        ("https://lms.example/ags/lineitem.php?id=7&type=x", "https://lms.example/ags/lineitem.php/scores?id=7&type=x"),
    ],
)
def test_the_score_url_keeps_the_line_items_query(line_item, expected):
    assert scores_url(line_item) == expected


def test_nrps_reads_all_members_across_two_pages(http, tokens, platform):
    platform.members = [
        {"user_id": "teacher-1", "roles": [MEMBERSHIP + "Instructor"], "name": "Grace Hopper", "email": "g@x.edu"},
        {"user_id": "ta-1", "roles": [MEMBERSHIP + "Instructor", TEACHING_ASSISTANT_SUBROLE]},
        {"user_id": "learner-1", "roles": [MEMBERSHIP + "Learner"], "given_name": "Ada", "family_name": "Lovelace"},
        {"user_id": "learner-2", "roles": ["Learner"], "status": "Inactive"},
        {"user_id": 7, "roles": [INSTITUTION + "Student"]},
    ]
    membership = NrpsClient(http, tokens, platform.config()).membership(
        NrpsEndpoint(f"{platform.base_url}/memberships", ("2.0",))
    )
    assert (membership.context_id, membership.context_title) == ("course-101", "Medical Office 101")
    assert [(m.user_id, m.course_role, m.active) for m in membership.members] == [
        ("teacher-1", CourseRole.INSTRUCTOR, True),
        ("ta-1", CourseRole.ASSISTANT, True),
        ("learner-1", CourseRole.LEARNER, True),
        ("learner-2", CourseRole.LEARNER, False),
        ("7", CourseRole.LEARNER, True),
    ]
    assert membership.members[0].email == "g@x.edu" and membership.members[2].family_name == "Lovelace"
    assert platform.token_requests == 1


@pytest.mark.parametrize(
    "body",
    [
        {"roles": ["Learner"]},
        {"user_id": "u"},
        {"user_id": "u", "roles": "Learner"},
        {"user_id": "u", "roles": [], "status": "Gone"},
    ],
)
def test_a_member_entry_that_breaks_the_spec_is_a_bad_response(body):
    with pytest.raises(errors.BadServiceResponse):
        read_member(body)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6,
)
member_like = st.fixed_dictionaries(
    {},
    optional={"user_id": json_values, "roles": json_values, "status": json_values, "name": json_values},
)
line_item_like = st.fixed_dictionaries(
    {}, optional={"id": json_values, "label": json_values, "scoreMaximum": json_values, "tag": json_values}
)


@settings(max_examples=200, deadline=None)
@given(body=member_like | json_values)
def test_any_member_entry_reads_as_a_member_or_a_bad_response(body):
    try:
        member = read_member(body)
    except errors.BadServiceResponse:
        return
    assert isinstance(member.user_id, str) and all(isinstance(role, str) for role in member.roles)
    assert member.name is None or isinstance(member.name, str)


@settings(max_examples=200, deadline=None)
@given(body=line_item_like | json_values)
def test_any_line_item_reads_as_a_line_item_or_a_bad_response(body):
    try:
        item = LineItem.from_json(body)
    except errors.BadServiceResponse:
        return
    assert isinstance(item.id, str) and isinstance(item.score_maximum, int | float)
    assert item.tag is None or isinstance(item.tag, str)
