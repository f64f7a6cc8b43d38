"""What a learner should do next: one step for the "Continue" card, and what the next band needs."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from .course import Band, ReadinessSettings
from .readiness import Readiness
from .values import value


@value
class LessonState:
    """What the next step needs to know of one lesson for one learner."""

    lesson_id: str
    read: bool
    passed: bool
    attempts: int  # submitted attempts
    open_attempt_id: int | None = None  # the attempt in progress, if any
    max_attempts: int | None = None  # this learner's limit at this quiz (0: none); None: the course's


class StepKind(StrEnum):
    RESUME = "resume"  # finish the attempt in progress
    READ = "read"  # read the next unread lesson
    TAKE = "take"  # take a quiz for the first time
    RETAKE = "retake"  # try a quiz not passed yet again
    OUT_OF_ATTEMPTS = "out_of_attempts"  # every attempt at a quiz not passed is used
    DONE = "done"  # every lesson read and every quiz passed


@value
class NextStep:
    kind: StepKind
    lesson_id: str | None = None
    attempt_id: int | None = None
    attempts_left: int | None = None  # for a take or retake under a limit
    max_attempts: int | None = None  # the limit that applies, for the same steps


def next_step(lessons: Sequence[LessonState], max_attempts: int) -> NextStep:
    """Choose one step for lessons in course order: the open attempt, else the next unread lesson, else a quiz."""
    # max_attempts 0 means no limit, as in course.yaml.
    for lesson in lessons:
        if lesson.open_attempt_id is not None:
            return NextStep(StepKind.RESUME, lesson.lesson_id, lesson.open_attempt_id)
    for lesson in lessons:
        if not lesson.read:
            return NextStep(StepKind.READ, lesson.lesson_id)
    stuck = None
    for lesson in lessons:
        if lesson.passed:
            continue
        limit = max_attempts if lesson.max_attempts is None else lesson.max_attempts
        if limit == 0 or lesson.attempts < limit:
            kind = StepKind.RETAKE if lesson.attempts else StepKind.TAKE
            if limit == 0:
                return NextStep(kind, lesson.lesson_id)
            return NextStep(kind, lesson.lesson_id, attempts_left=limit - lesson.attempts, max_attempts=limit)
        stuck = stuck or lesson.lesson_id
    if stuck is not None:
        return NextStep(StepKind.OUT_OF_ATTEMPTS, stuck)
    return NextStep(StepKind.DONE)


@value
class BandGoal:
    """What stands between a learner and the next band up: quizzes to pass and a score to reach."""

    band: Band
    to_pass: tuple[str, ...]  # lesson ids, in course order (empty when the band needs no passes)
    score_needed: float | None  # the band's minimum when the score is below it, else None


def band_goal(settings: ReadinessSettings, readiness: Readiness) -> BandGoal | None:
    """Return what the next band above the learner's needs, or None in the top band."""
    bands = settings.bands
    current = next(index for index, band in enumerate(bands) if band.name == readiness.band)
    if current == 0:
        return None
    target = bands[current - 1]
    to_pass = readiness.missing if target.all_passed else ()
    needed = target.min_score if readiness.score < target.min_score else None
    return BandGoal(target, to_pass, needed)
