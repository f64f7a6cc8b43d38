"""The progress tables laid out in Python: statuses, the weights sentence, what is left and what to review."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from lms.models import ProgressRecord
from lms.services.progress import course_progress_from_rows
from lms.web.progress_view import STATUS_BADGES, lesson_status, progress_view

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def record(lesson_id: str, read=False, viewed=False, scores=(), passed=False) -> ProgressRecord:
    attempted = bool(scores)
    return ProgressRecord(
        id=1,
        enrollment_id=1,
        lesson_id=lesson_id,
        first_viewed_at=NOW if viewed or read else None,
        read_at=NOW if read else None,
        attempts_count=len(scores),
        first_score=scores[0] if attempted else None,
        latest_score=scores[-1] if attempted else None,
        best_score=max(scores) if attempted else None,
        score_total=float(sum(scores)),
        passed_at=NOW if passed else None,
    )


@pytest.mark.parametrize(
    ("row", "status"),
    [
        (None, "not_started"),
        (record("x"), "not_started"),
        (record("x", viewed=True), "in_progress"),
        (record("x", scores=(20.0,)), "in_progress"),
        (record("x", read=True), "read"),
        (record("x", scores=(90.0,), passed=True), "passed"),
        (record("x", read=True, scores=(90.0,), passed=True), "complete"),
    ],
)
def test_each_progress_row_has_one_status_with_a_badge(row, status):
    assert lesson_status(row) == status and status in STATUS_BADGES


def test_the_view_lists_sections_in_order_what_is_left_and_the_weakest(app, course):
    first, second, third, *rest = course.lesson_ids
    rows = {
        first: record(first, read=True, scores=(90.0,), passed=True),
        second: record(second, read=True, scores=(10.0, 30.0)),
        third: record(third, scores=(20.0,)),
    }
    view = progress_view(course, course_progress_from_rows(course, rows))
    assert [row.lesson.id for row in view.sections] == list(course.lesson_ids)
    assert [row.status for row in view.sections[:4]] == ["complete", "read", "in_progress", "not_started"]
    assert [row.attempts for row in view.sections[:4]] == [1, 2, 1, 0]
    assert [(item.lesson.id, item.read, item.passed) for item in view.to_do] == [
        (second, True, False),
        (third, False, False),
        *((lesson_id, False, False) for lesson_id in rest),
    ]
    # Attempted and not passed, lowest score first (which score counts is the pack's grading method).
    assert {row.lesson.id for row in view.weakest} == {second, third}
    assert view.weakest[0].score <= view.weakest[1].score
    assert view.weighted == []  # every section counts the same


def test_sections_that_count_more_are_named_with_their_weight(app, course):
    first, second, *_ = course.lesson_ids
    weights = {first: 2.0, second: 1.25}
    weighted = replace(course, readiness=replace(course.readiness, weights=weights))
    view = progress_view(weighted, course_progress_from_rows(weighted, {}))
    assert [(row.lesson.id, row.weight_text) for row in view.weighted] == [(first, "2"), (second, "1.25")]
