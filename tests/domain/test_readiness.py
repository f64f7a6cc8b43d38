"""Readiness: grading methods across attempts, weights, missing sections, bands."""

import pytest

from lms.domain.course import Band, GradingMethod, ReadinessSettings
from lms.domain.readiness import SectionAttempts, readiness_for

BANDS = (
    Band(name="Ready", min_score=80, all_passed=True),
    Band(name="Almost", min_score=60),
    Band(name="Not yet", min_score=0),
)
LESSONS = ("a", "b")


def settings(method=GradingMethod.HIGHEST, weights=None):
    return ReadinessSettings(grading=method, weights=weights or {}, bands=BANDS)


def sections(a_scores, b_scores, pass_mark=70):
    return {
        "a": SectionAttempts.from_scores(a_scores, pass_mark),
        "b": SectionAttempts.from_scores(b_scores, pass_mark),
    }


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        # a: 50 then 90 then 70; b: 100
        (GradingMethod.HIGHEST, (90 + 100) / 2),
        (GradingMethod.LATEST, (70 + 100) / 2),
        (GradingMethod.FIRST, (50 + 100) / 2),
        (GradingMethod.AVERAGE, (70 + 100) / 2),
    ],
)
def test_grading_methods(method, expected):
    result = readiness_for(settings(method), LESSONS, sections([50, 90, 70], [100]))
    assert result.score == pytest.approx(expected)
    assert not result.provisional


def test_average_of_uneven_scores():
    result = readiness_for(settings(GradingMethod.AVERAGE), LESSONS, sections([40, 80, 90], [60, 61]))
    assert result.score == pytest.approx(round(((40 + 80 + 90) / 3 + (60 + 61) / 2) / 2, 2))


def test_missing_sections_count_zero_and_make_it_provisional():
    result = readiness_for(settings(), LESSONS, {"a": SectionAttempts.from_scores([90], 70)})
    assert result.score == 45
    assert result.provisional
    assert result.missing == ("b",)
    assert result.sections[1].score is None and not result.sections[1].attempted


def test_no_attempts_at_all():
    result = readiness_for(settings(), LESSONS, {})
    assert (result.score, result.band, result.provisional) == (0, "Not yet", True)
    assert result.weakest() == (), "nothing attempted: nothing to review yet"


def test_weights():
    result = readiness_for(settings(weights={"a": 3}), LESSONS, sections([100], [60]))
    assert result.score == pytest.approx((3 * 100 + 60) / 4)


@pytest.mark.parametrize(
    ("a_scores", "b_scores", "band"),
    [
        ([90], [85], "Ready"),
        ([100], [65], "Almost"),  # 82.5 but b is not passed (70): not Ready
        ([60], [65], "Almost"),
        ([50], [55], "Not yet"),
        ([], [100], "Not yet"),
    ],
)
def test_bands(a_scores, b_scores, band):
    assert readiness_for(settings(), LESSONS, sections(a_scores, b_scores)).band == band


def test_passed_means_any_attempt_reached_the_mark_even_when_latest_counts():
    result = readiness_for(settings(GradingMethod.LATEST), LESSONS, sections([80, 20], [90]))
    assert result.sections[0].passed
    assert result.sections[0].score == 20
    assert result.missing == ()


def test_weakest_lists_lowest_failed_sections_first():
    result = readiness_for(
        ReadinessSettings(grading=GradingMethod.HIGHEST, weights={}, bands=BANDS),
        ("a", "b", "c", "d"),
        {
            "a": SectionAttempts.from_scores([65], 70),
            "b": SectionAttempts.from_scores([30], 70),
            "c": SectionAttempts.from_scores([95], 70),
        },
    )
    assert result.weakest() == ("b", "a"), "attempted and not passed, lowest first; c passed, d never tried"
    assert result.weakest(1) == ("b",)


def test_from_scores_takes_the_graders_verdict_over_a_rounded_score():
    # 69.996 is stored as 70.0: the grader said "not passed", and readiness must agree.
    assert SectionAttempts.from_scores([70.0], 70, passed=[False]).passed is False
    assert SectionAttempts.from_scores([70.0], 70).passed is True
    assert SectionAttempts.from_scores([50.0, 70.0], 70, passed=[False, True]).passed is True
