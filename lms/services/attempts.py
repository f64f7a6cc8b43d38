"""Quiz attempts: start (draw and fix the questions), submit (grade once), and read back."""

from __future__ import annotations

import functools
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter

from sqlalchemy import bindparam, case, func, insert, literal, select, union_all, update
from sqlalchemy.exc import IntegrityError

from ..domain.course import Course, Lesson, Question
from ..domain.drawing import draw_attempt
from ..domain.grading import (
    AttemptResult,
    PresentedQuestion,
    Response,
    StaleAttempt,
    grade_attempt,
    resolve_presented,
    response_to_json,
)
from ..extensions import db
from ..models import (
    Attempt,
    AttemptAnswer,
    AttemptLimit,
    Enrollment,
    LearnerQuizOverride,
    LessonProgress,
    UTCDateTime,
    utcnow,
)
from .drafts import clear_drafts
from .lti.outbox import queue_grades
from .progress import lock_enrollment, progress_row_for_writing, refresh_summary


class AttemptLimitReached(PermissionError):
    """Raised when a learner has used every attempt the course allows at a quiz."""


def attempts_for(enrollment_id: int, lesson_id: str) -> list[Attempt]:
    """Return a learner's attempts at one quiz, oldest first."""
    query = (
        select(Attempt)
        .where(Attempt.enrollment_id == enrollment_id, Attempt.lesson_id == lesson_id)
        .order_by(Attempt.number)
    )
    return list(db.session.execute(query).scalars())


def open_attempt(enrollment_id: int, lesson_id: str) -> Attempt | None:
    """Return the learner's attempt in progress at a quiz, or None."""
    query = select(Attempt).where(
        Attempt.enrollment_id == enrollment_id,
        Attempt.lesson_id == lesson_id,
        Attempt.submitted_at.is_(None),
    )
    return db.session.execute(query).scalar_one_or_none()


def presented_questions(attempt: Attempt) -> tuple[PresentedQuestion, ...]:
    """Return the questions an attempt fixed, in the order shown."""
    return tuple(PresentedQuestion.from_json(item) for item in attempt.layout)


@dataclass(frozen=True)
class Allowance:
    """One learner's attempts at one quiz: the limit that applies to them and how many count against it."""

    limit: int | None  # None: no limit
    used: int  # attempts that count, submitted or in progress (a reset sets the earlier ones aside)
    extra: int = 0  # attempts an instructor granted, included in limit
    counted_after: int = 0  # attempts numbered up to this one were set aside by a reset

    @property
    def left(self) -> int | None:
        """Attempts that may still be started, or None when there is no limit."""
        return None if self.limit is None else max(0, self.limit - self.used)


# A learner's quiz rules are rows of (rank, lesson id, first, second):
QUIZ_RULE_COURSE_LIMIT = 0  # (0, lesson, max attempts, 0): the course's limit at a quiz
QUIZ_RULE_COHORT_LIMIT = 1  # (1, lesson, max attempts, 0): the learner's cohort's, which replaces it
QUIZ_RULE_OVERRIDE = 2  # (2, lesson, extra attempts, counted after): what an instructor granted the learner
QUIZ_RULE_OPEN_ATTEMPT = 3  # (3, lesson, attempt id, 0): the attempt in progress (at most one per quiz)


def quiz_rule_parts(enrollment_id, course_id, cohort_id, with_open: bool = True) -> list[tuple[tuple, object]]:
    """The (columns, condition) of each kind of quiz rule row, for these enrollment, course and cohort expressions.

    Every quiz of the course, not only the caller's: a list of lesson ids would be an expanding
    parameter, rendered into the SQL on each run, for a few rows more. Table columns, not the
    models' attributes: the rows are plain values, and a Core statement skips the ORM's execution
    steps. The session's query (web.session_records) reads the same rows with the enrollment.
    """
    overrides, limits, attempts = LearnerQuizOverride.__table__.c, AttemptLimit.__table__.c, Attempt.__table__.c
    parts = [
        (
            (literal(QUIZ_RULE_OVERRIDE), overrides.lesson_id, overrides.extra_attempts, overrides.counted_after),
            overrides.enrollment_id == enrollment_id,
        ),
        (
            (
                case((limits.cohort_id.is_(None), QUIZ_RULE_COURSE_LIMIT), else_=QUIZ_RULE_COHORT_LIMIT),
                limits.lesson_id,
                limits.max_attempts,
                literal(0),
            ),
            (limits.course_id == course_id) & (limits.cohort_id.is_(None) | (limits.cohort_id == cohort_id)),
        ),
    ]
    if with_open:  # for pages that also show the attempts in progress
        parts.append(
            (
                (literal(QUIZ_RULE_OPEN_ATTEMPT), attempts.lesson_id, attempts.id, literal(0)),
                (attempts.enrollment_id == enrollment_id) & attempts.submitted_at.is_(None),
            )
        )
    return parts


@functools.cache
def _overrides_and_limits_query(with_open: bool):
    """The statement of _overrides_and_limits, built once (building it costs more than running it)."""
    parts = quiz_rule_parts(bindparam("enrollment_id"), bindparam("course_id"), bindparam("cohort_id"), with_open)
    return union_all(*(select(*columns).where(condition) for columns, condition in parts))


def _overrides_and_limits(
    enrollment: Enrollment,
    course: Course,
    open_ids: dict[str, int] | None = None,
    rules: Iterable[Sequence] | None = None,
) -> tuple[dict[str, tuple[int, int]], dict[str, int]]:
    """The learner's (extra attempts, counted after) by lesson and the course's quiz limits for their cohort: one query.

    Given a dict as open_ids, the same query also fills it with the learner's attempts in progress by lesson.
    Given the rows as rules (as the session's query brought them, with the open attempts), no query.
    """
    if rules is None:
        parameters = {"enrollment_id": enrollment.id, "course_id": course.id, "cohort_id": enrollment.cohort_id}
        rules = db.session.execute(_overrides_and_limits_query(open_ids is not None), parameters).all()
    overrides: dict[str, tuple[int, int]] = {}
    found: dict[str, int] = {}
    for rank, lesson_id, first, second in sorted(rules, key=itemgetter(0)):  # a cohort's limit after the course's
        if rank == QUIZ_RULE_OPEN_ATTEMPT:
            if open_ids is not None:
                open_ids[lesson_id] = first
        elif rank == QUIZ_RULE_OVERRIDE:
            overrides[lesson_id] = (first, second)
        else:
            found[lesson_id] = first
    return overrides, found


def _limit(course: Course, lesson_id: str, limits: dict[str, int], extra: int) -> int | None:
    base = limits.get(lesson_id, course.quiz.max_attempts)
    return None if base == 0 else base + extra


def quiz_limits(
    enrollment: Enrollment,
    course: Course,
    open_ids: dict[str, int] | None = None,
    rules: Iterable[Sequence] | None = None,
) -> dict[str, int | None]:
    """Return the learner's attempt limit at every quiz (None: no limit), in one query; see quiz_allowances.

    Given a dict as open_ids, the same query fills it with the ids of the attempts in progress by lesson.
    Given the learner's quiz rule rows (see quiz_rule_parts), no query: pages pass what the session's query read.
    """
    overrides, limits = _overrides_and_limits(enrollment, course, open_ids, rules)
    return {
        lesson_id: _limit(course, lesson_id, limits, overrides[lesson_id][0] if lesson_id in overrides else 0)
        for lesson_id in course.lesson_ids
    }


def quiz_allowances(
    enrollment: Enrollment,
    course: Course,
    lesson_ids: tuple[str, ...] | None = None,
    attempts: list[Attempt] | None = None,
    carried: Mapping[str, int] | None = None,
) -> dict[str, Allowance]:
    """Return the Allowance of every quiz (or of these) for one learner: the one place attempts left are computed.

    The limit is the cohort's override for the quiz, else the course's override, else the pack's
    max_attempts (0: no limit); an instructor's extra attempts for the learner come on top. Two
    queries, or one when the caller passes the learner's attempts at these quizzes.
    """
    lesson_ids = lesson_ids if lesson_ids is not None else course.lesson_ids
    overrides, limits = _overrides_and_limits(enrollment, course)
    if attempts is None:
        attempts = list(
            db.session.execute(
                select(Attempt).where(Attempt.enrollment_id == enrollment.id, Attempt.lesson_id.in_(lesson_ids))
            ).scalars()
        )
    allowances = {}
    for lesson_id in lesson_ids:
        extra, counted_after = overrides.get(lesson_id, (0, 0))
        used = sum(1 for a in attempts if a.lesson_id == lesson_id and a.number > counted_after)
        if not counted_after:  # attempts a deleted account of this email used, until a reset sets them aside
            used += (carried or {}).get(lesson_id, 0)
        allowances[lesson_id] = Allowance(_limit(course, lesson_id, limits, extra), used, extra, counted_after)
    return allowances


def quiz_allowance(
    enrollment: Enrollment, course: Course, lesson_id: str, attempts: list[Attempt] | None = None, carried: int = 0
) -> Allowance:
    """Return one learner's Allowance at one quiz (see quiz_allowances); carried: a deleted account's attempts."""
    return quiz_allowances(enrollment, course, (lesson_id,), attempts, {lesson_id: carried})[lesson_id]


def attempt_questions(attempt: Attempt, lesson: Lesson) -> tuple[Question, ...]:
    """Return the questions an attempt fixed, in order; raise StaleAttempt if the pack changed under it."""
    by_id = {question.id: question for question in lesson.questions}
    return resolve_presented(by_id, presented_questions(attempt))


def discard_attempt(attempt: Attempt) -> None:
    """Delete an unsubmitted attempt whose questions left the pack; it does not count as a try."""
    db.session.delete(attempt)
    db.session.flush()


def start_attempt(
    enrollment: Enrollment,
    course: Course,
    lesson: Lesson,
    rng: random.Random,
    now: datetime | None = None,
    carried: int = 0,
) -> Attempt:
    """Resume the open attempt or draw a new one; raise AttemptLimitReached past the limit.

    carried: attempts at this quiz that deleted accounts of the same email used (services.retained).
    """
    now = now or utcnow()
    # Under the lock, the open attempt and the count below are current: starts run one at a time.
    lock_enrollment(enrollment)
    current = open_attempt(enrollment.id, lesson.id)
    if current is not None:
        try:
            attempt_questions(current, lesson)
            return current
        except StaleAttempt:
            discard_attempt(current)
    allowance = quiz_allowance(enrollment, course, lesson.id, carried=carried)
    if allowance.left == 0:
        raise AttemptLimitReached(f"all {allowance.limit} attempts at this quiz")
    # Numbers run on across a reset: the set-aside attempts keep theirs.
    used = db.session.execute(
        select(func.coalesce(func.max(Attempt.number), 0)).where(
            Attempt.enrollment_id == enrollment.id, Attempt.lesson_id == lesson.id
        )
    ).scalar_one()
    # Retakes prefer questions this learner has not answered yet at this quiz.
    seen = db.session.execute(
        select(AttemptAnswer.question_id)
        .join(Attempt, AttemptAnswer.attempt_id == Attempt.id)
        .where(Attempt.enrollment_id == enrollment.id, Attempt.lesson_id == lesson.id)
    ).scalars()
    layout = draw_attempt(lesson, course.quiz.questions_per_attempt, rng, frozenset(seen))
    attempt = Attempt(
        enrollment_id=enrollment.id,
        course_id=enrollment.course_id,
        lesson_id=lesson.id,
        number=used + 1,
        question_count=len(layout),
        started_at=now,
        layout=[item.to_json() for item in layout],
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        # Not reached under the lock; should a start ever skip it, the unique number and the
        # one-open-attempt index still let only one insert in, and the loser resumes the winner.
        winner = open_attempt(enrollment.id, lesson.id)
        if winner is None:
            raise
        return winner
    enrollment.last_activity_at = now
    enrollment.started_at = enrollment.started_at or now
    # Starting a quiz counts as having opened its lesson (for browsers that do not send the view).
    progress = progress_row_for_writing(enrollment, lesson.id)
    progress.first_viewed_at = progress.first_viewed_at or now
    db.session.flush()
    return attempt


def submit_attempt(
    attempt: Attempt,
    enrollment: Enrollment,
    course: Course,
    lesson: Lesson,
    responses: Mapping[str, Response],
    now: datetime | None = None,
) -> AttemptResult | None:
    """Grade and record an attempt once; return None (and write nothing) if it was already submitted.

    Raises StaleAttempt if the pack changed under the attempt and InvalidResponse for an answer
    that does not fit the attempt; in both cases nothing is written.
    """
    now = now or utcnow()
    if attempt.is_submitted:
        return None
    questions = attempt_questions(attempt, lesson)
    result = grade_attempt(questions, responses, course.quiz.pass_mark)
    lock_enrollment(enrollment)
    # Conditional update: of two concurrent submits exactly one flips the attempt to submitted.
    claimed = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None))
        .values(submitted_at=now, score=result.score, points=result.points, passed=result.passed)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return None
    clear_drafts(attempt.id)
    db.session.execute(
        insert(AttemptAnswer),
        [
            {
                "attempt_id": attempt.id,
                "position": position,
                "question_id": graded.question_id,
                "response": response_to_json(responses.get(graded.question_id)),
                "credit": graded.credit,
                "correct": graded.correct,
            }
            for position, graded in enumerate(result.results)
        ],
    )
    progress = progress_row_for_writing(enrollment, lesson.id)
    score = result.score
    db.session.execute(
        update(LessonProgress)
        .where(LessonProgress.id == progress.id)
        .values(
            attempts_count=LessonProgress.attempts_count + 1,
            first_score=func.coalesce(LessonProgress.first_score, score),
            latest_score=score,
            best_score=case(
                (LessonProgress.best_score.is_(None), score),
                (LessonProgress.best_score < score, score),
                else_=LessonProgress.best_score,
            ),
            score_total=LessonProgress.score_total + score,
            passed_at=func.coalesce(LessonProgress.passed_at, literal(now, UTCDateTime))
            if result.passed
            else LessonProgress.passed_at,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.expire(progress)
    db.session.expire(attempt)
    enrollment.last_activity_at = now
    refresh_summary(enrollment, course, now)
    # In the same transaction: a learner launched from a platform gets the scores into its gradebook outbox.
    queue_grades(enrollment, lesson.id, attempt.id, score, now)
    return result
