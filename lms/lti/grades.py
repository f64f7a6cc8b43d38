"""What goes to the gradebook (lesson and readiness line items, scores) and when the outbox tries again."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from .ags import LineItem, Score
from .deep_linking import LineItemSpec
from .errors import ServiceError

SCORE_MAXIMUM = 100
READINESS_TAG = "readiness"
LESSON_TAG = "lesson"


def lesson_resource_id(course_id: str, lesson_id: str) -> str:
    """The resourceId naming a lesson's line item, the same in deep linking and in AGS look-ups."""
    return f"{course_id}/{lesson_id}"


def lesson_line_item(course_id: str, lesson_id: str, title: str) -> LineItemSpec:
    """The line item a deep link to a lesson (or its quiz) asks the platform to create."""
    return LineItemSpec(label=title, resource_id=lesson_resource_id(course_id, lesson_id), tag=LESSON_TAG)


def readiness_line_item(course_id: str, course_title: str) -> LineItem:
    """The context-wide "Readiness" line item the tool creates in the line item container."""
    return LineItem(
        label=f"Readiness: {course_title}",
        score_maximum=SCORE_MAXIMUM,
        resource_id=f"{course_id}/{READINESS_TAG}",
        tag=READINESS_TAG,
    )


def percent_score(user_id: str, percent: float, graded_at: datetime) -> Score:
    """A finished, fully graded score out of 100; raises ValueError outside 0-100 or without a time zone."""
    if not 0 <= percent <= SCORE_MAXIMUM:
        raise ValueError(f"a percentage must be between 0 and 100, got {percent}")
    return Score(user_id, round(percent, 2), SCORE_MAXIMUM, "Completed", "FullyGraded", graded_at)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter for deliveries the platform could not take yet."""

    first_delay: float = 30.0
    max_delay: float = 6 * 3600.0
    max_attempts: int = 20

    def should_retry(self, error: ServiceError, attempts_made: int) -> bool:
        """Whether to try again after `error` on the `attempts_made`-th attempt."""
        return error.retryable and attempts_made < self.max_attempts

    def delay(self, attempts_made: int, rand: Callable[[], float] = random.random) -> float:
        """Seconds to wait before the next attempt: random up to first_delay * 2^(n-1), capped."""
        ceiling = min(self.max_delay, self.first_delay * 2.0 ** max(0, attempts_made - 1))
        # Full jitter spreads the retries of many learners' scores after an outage over the window.
        return max(1.0, ceiling * rand())
