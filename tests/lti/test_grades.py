"""Line items and scores for lessons and readiness, and the outbox retry policy against a platform that goes down."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lms.lti import claims as c
from lms.lti.ags import AgsClient
from lms.lti.errors import ServiceRefused, ServiceUnavailable
from lms.lti.grades import RetryPolicy, lesson_line_item, percent_score, readiness_line_item
from lms.lti.messages import AgsEndpoint

GRADED = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)


def test_a_lesson_line_item_names_course_and_lesson():
    spec = lesson_line_item("office", "billing", "Billing basics")
    assert (spec.label, spec.resource_id, spec.score_maximum, spec.tag) == (
        "Billing basics",
        "office/billing",
        100,
        "lesson",
    )


@pytest.mark.parametrize("percent", [-0.1, 100.5])
def test_a_percentage_outside_0_to_100_is_refused(percent):
    with pytest.raises(ValueError, match="between 0 and 100"):
        percent_score("u", percent, GRADED)


def test_a_percent_score_is_complete_and_fully_graded():
    assert percent_score("u", 87.456, GRADED).to_json() == {
        "userId": "u",
        "scoreGiven": 87.46,
        "scoreMaximum": 100,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": "2026-12-01T10:30:00.000+00:00",
    }


@pytest.mark.parametrize(
    ("attempts", "ceiling"), [(1, 30), (2, 60), (3, 120), (10, 15360), (11, 6 * 3600), (40, 6 * 3600)]
)
def test_the_backoff_doubles_up_to_its_cap(attempts, ceiling):
    policy = RetryPolicy()
    assert policy.delay(attempts, rand=lambda: 1.0) == ceiling
    assert policy.delay(attempts, rand=lambda: 0.0) == 1.0


def test_only_retryable_errors_are_retried_and_only_so_often():
    policy = RetryPolicy(max_attempts=3)
    assert policy.should_retry(ServiceUnavailable("503"), 2)
    assert not policy.should_retry(ServiceUnavailable("503"), 3)
    assert not policy.should_retry(ServiceRefused("404", status=404), 1)


def test_a_score_queued_while_the_platform_is_down_arrives_once_it_is_up(http, tokens, platform):
    platform.line_items["1"] = {"id": f"{platform.base_url}/lineitems/1", "label": "Intro", "scoreMaximum": 100}
    endpoint = AgsEndpoint((c.SCOPE_LINEITEM, c.SCOPE_SCORE), f"{platform.base_url}/lineitems", None)
    ags = AgsClient(http, tokens, platform.config(), endpoint)
    readiness = ags.ensure_line_item(readiness_line_item("office", "Office Manager"))
    outbox = [
        (f"{platform.base_url}/lineitems/1", percent_score("learner-1", 80, GRADED)),
        (readiness.id, percent_score("learner-1", 64, GRADED)),
    ]
    policy, attempts, delivered = RetryPolicy(), 0, []

    platform.down = True
    for round_number in range(2):
        attempts += 1
        for line_item_url, score in list(outbox):
            try:
                ags.post_score(line_item_url, score)
            except ServiceUnavailable as error:
                assert policy.should_retry(error, attempts)
                continue
            outbox.remove((line_item_url, score))
            delivered.append(line_item_url)
        if round_number == 0:
            assert platform.scores == [] and len(outbox) == 2
            platform.down = False

    assert outbox == [] and len(delivered) == 2
    assert [(number, body["scoreGiven"]) for number, body in platform.scores] == [("1", 80), ("2", 64)]
    assert platform.line_items["2"]["label"] == "Readiness: Office Manager"
