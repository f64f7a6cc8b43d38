"""Quiz analysis for instructors: item statistics, objectives and distractor counts, aggregated in SQL.

Four grouped queries feed the pure formulas in domain.statistics, whatever the number of
attempts: attempt totals, per-question (credit, rest) counts, per-position sums and response
counts.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Text, case, cast, func, select

from ..domain.course import Course, Lesson, Objective, Question
from ..domain.grading import response_from_json
from ..domain.statistics import (
    Flag,
    ItemStatistics,
    ItemSums,
    Moments,
    cronbach_alpha,
    flags_for,
    item_statistics,
    median_from_counts,
    sorted_pair_sum,
)
from ..extensions import cache, db
from ..models import Attempt, AttemptAnswer, Enrollment

BASES = {"first": "First attempts", "all": "All attempts"}


@dataclass(frozen=True)
class OptionCount:
    label: str
    count: int
    percent: float
    correct: bool


@dataclass(frozen=True)
class QuestionAnalysis:
    question: Question
    stats: ItemStatistics
    flags: tuple[Flag, ...]
    options: list[OptionCount]


@dataclass(frozen=True)
class ObjectiveAnalysis:
    objective: Objective
    items: int  # the bank's items that measure it
    answers: int  # answers to those items in the attempts analysed
    right: float | None  # percent of those answers right (partial credit counts in part), None without answers


@dataclass(frozen=True)
class QuizAnalysis:
    lesson: Lesson
    basis: str
    attempts: int
    mean: float | None
    median: float | None
    sd: float | None
    alpha: float | None
    score_histogram: list[int]  # attempts per 10-point score bucket
    questions: list[QuestionAnalysis]  # flagged first, then in bank order
    unused_questions: list[Question]
    objectives: list[ObjectiveAnalysis] = field(default_factory=list)

    @property
    def flagged(self) -> int:
        return sum(1 for item in self.questions if item.flags)


def learner_attempts(query, course: Course, cohort_ids: frozenset[int] | None):
    """Restrict a query over attempts to the submitted attempts of the course's learners in these cohorts."""
    query = query.join(Enrollment, Enrollment.id == Attempt.enrollment_id).where(
        Attempt.course_id == course.id, Attempt.submitted_at.is_not(None), Enrollment.role == "learner"
    )
    if cohort_ids is not None:
        query = query.where(Enrollment.cohort_id.in_(sorted(cohort_ids)))
    return query


def _scope(course: Course, lesson: Lesson, basis: str, cohort_ids: frozenset[int] | None):
    query = learner_attempts(
        select(Attempt.id, Attempt.points, Attempt.score, Attempt.question_count), course, cohort_ids
    ).where(Attempt.lesson_id == lesson.id)
    if basis == "first":
        query = query.where(Attempt.number == 1)
    return query.subquery("scope")


def item_sums(cells: list[tuple[float, float, int]]) -> ItemSums:
    """The sums of one question's statistics from its (credit, rest of attempt, count) cells."""
    x_counts: dict[float, int] = defaultdict(int)
    y_counts: dict[float, int] = defaultdict(int)
    for credit, rest_value, count in cells:
        x_counts[credit] += count
        y_counts[rest_value] += count
    return ItemSums(
        n=sum(count for _, _, count in cells),
        sx=sum(count * x for x, _, count in cells),
        sxx=sum(count * x * x for x, _, count in cells),
        sy=sum(count * y for _, y, count in cells),
        syy=sum(count * y * y for _, y, count in cells),
        sxy=sum(count * x * y for x, y, count in cells),
        sorted_sxy=sorted_pair_sum(x_counts, y_counts),
    )


def _histogram(score_counts: dict[float, int]) -> list[int]:
    buckets = [0] * 10
    for score, count in score_counts.items():
        buckets[min(9, int(score // 10))] += count
    return buckets


def _option_counts(question: Question, responses: dict[str, int], answered: int) -> list[OptionCount]:
    """Count answers the question type's way (options chosen, or parts placed right), then blanks."""
    counted, blank = [], 0
    for text, count in responses.items():
        response = response_from_json(question, json.loads(text)) if text is not None else None
        if response is None:
            blank += count
        else:
            counted.append((response, count))

    def percent(count: int) -> float:
        return 100.0 * count / answered if answered else 0.0

    rows = [OptionCount(row.label, row.count, percent(row.count), row.correct) for row in question.tallies(counted)]
    if blank:
        rows.append(OptionCount("(no answer)", blank, percent(blank), False))
    return rows


def quiz_analysis(
    course: Course, lesson: Lesson, basis: str = "first", cohort_ids: frozenset[int] | None = None
) -> QuizAnalysis:
    """Analyse one section quiz over the learners' first attempts (default) or all attempts: four queries."""
    scope = _scope(course, lesson, basis, cohort_ids)

    # 1. Attempt totals: scores for mean, median and histogram; points for alpha.
    score_counts: dict[float, int] = defaultdict(int)
    points = Moments(0, 0.0, 0.0)
    scores = Moments(0, 0.0, 0.0)
    lengths: set[int] = set()
    for points_value, score, length, count in db.session.execute(
        select(scope.c.points, scope.c.score, scope.c.question_count, func.count()).group_by(
            scope.c.points, scope.c.score, scope.c.question_count
        )
    ):
        score_counts[score] += count
        lengths.add(length)
        points = Moments(
            points.n + count, points.total + count * points_value, points.total_sq + count * points_value**2
        )
        scores = Moments(scores.n + count, scores.total + count * score, scores.total_sq + count * score**2)

    # 2. Per question: how many attempts had each (credit, rest of attempt) pair.
    rest = scope.c.points - AttemptAnswer.credit
    joint: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    for question_id, credit, rest_value, count in db.session.execute(
        select(AttemptAnswer.question_id, AttemptAnswer.credit, rest, func.count())
        .join(scope, scope.c.id == AttemptAnswer.attempt_id)
        .group_by(AttemptAnswer.question_id, AttemptAnswer.credit, rest)
    ):
        joint[question_id].append((credit, rest_value, count))

    # 3. Per position in the attempt, for Cronbach's alpha over the drawn slots.
    positions = [
        Moments(n, total, total_sq)
        for _position, n, total, total_sq in db.session.execute(
            select(
                AttemptAnswer.position,
                func.count(),
                func.sum(AttemptAnswer.credit),
                func.sum(AttemptAnswer.credit * AttemptAnswer.credit),
            )
            .join(scope, scope.c.id == AttemptAnswer.attempt_id)
            .group_by(AttemptAnswer.position)
            .order_by(AttemptAnswer.position)
        )
    ]

    # 4. Distinct responses per question, for the distractor analysis.
    response_text = cast(AttemptAnswer.response, Text)
    responses: dict[str, dict] = defaultdict(dict)
    for question_id, text, count in db.session.execute(
        select(AttemptAnswer.question_id, response_text, func.count())
        .join(scope, scope.c.id == AttemptAnswer.attempt_id)
        .group_by(AttemptAnswer.question_id, response_text)
    ):
        responses[question_id][text] = count

    analysed, unused = [], []
    for question in lesson.questions:
        cells = joint.get(question.id)
        if not cells:
            unused.append(question)
            continue
        sums = item_sums(cells)
        stats = item_statistics(sums)
        options = _option_counts(question, responses.get(question.id, {}), sums.n)
        analysed.append(QuestionAnalysis(question, stats, flags_for(stats), options))

    # Per objective, from the same sums: the credit its items earned over the answers they got.
    credit_by_question = {
        item.question.id: (item.stats.n, sum(c * x for x, _, c in joint[item.question.id])) for item in analysed
    }
    objectives = []
    for objective in lesson.objectives:
        measured = lesson.questions_for(objective.id)
        answers = sum(credit_by_question.get(question.id, (0, 0.0))[0] for question in measured)
        credit = sum(credit_by_question.get(question.id, (0, 0.0))[1] for question in measured)
        objectives.append(
            ObjectiveAnalysis(objective, len(measured), answers, 100.0 * credit / answers if answers else None)
        )
    # Questions that need attention come first (stable: bank order within each group).
    analysed.sort(key=lambda item: not item.flags)
    alpha = cronbach_alpha(positions, points) if len(lengths) == 1 else None
    return QuizAnalysis(
        lesson=lesson,
        basis=basis,
        attempts=scores.n,
        mean=scores.mean,
        median=median_from_counts(score_counts),
        sd=scores.sd,
        alpha=alpha,
        score_histogram=_histogram(score_counts),
        questions=analysed,
        unused_questions=unused,
        objectives=objectives,
    )


def attempts_watermark(course: Course, lesson: Lesson) -> tuple[int, str]:
    """How many attempts at a course's quiz are submitted, and the latest submission: read from one index.

    Any new submission changes it, and so does a deletion (the count drops).
    """
    count, latest = db.session.execute(
        select(func.count(), func.max(Attempt.submitted_at)).where(
            Attempt.course_id == course.id, Attempt.lesson_id == lesson.id, Attempt.submitted_at.is_not(None)
        )
    ).one()
    return count, latest.isoformat() if latest else "-"


def _cohorts_key(cohort_ids: frozenset[int] | None) -> str:
    return "all" if cohort_ids is None else ",".join(str(cohort_id) for cohort_id in sorted(cohort_ids))


def cached_quiz_analysis(
    course: Course, lesson: Lesson, basis: str = "first", cohort_ids: frozenset[int] | None = None
) -> QuizAnalysis:
    """The quiz analysis, recomputed only when an attempt at this course's quiz was submitted or removed.

    Keyed by course, cohorts, lesson, basis and the attempts watermark, in the shared cache: every
    app server behind a load balancer reuses what one computed.
    """
    count, latest = attempts_watermark(course, lesson)
    # v2: the analysis carries objectives; entries cached before lack them.
    key = f"analysis:v2:{course.id}:{_cohorts_key(cohort_ids)}:{lesson.id}:{basis}:{count}:{latest}"
    analysis = cache.get(key)
    if analysis is None:
        analysis = quiz_analysis(course, lesson, basis, cohort_ids)
        cache.set(key, analysis)
    return analysis


@dataclass(frozen=True)
class QuizSummary:
    attempts: int
    mean: float | None
    pass_rate: float | None  # percent of the attempts that passed
    flagged: int  # questions that need attention


def quiz_summaries(course: Course, cohort_ids: frozenset[int] | None = None) -> dict[str, QuizSummary]:
    """Per quiz, over the learners' first attempts: count, mean, pass rate and flagged questions, in two queries."""
    scope = (
        learner_attempts(
            select(Attempt.id, Attempt.lesson_id, Attempt.points, Attempt.score, Attempt.passed), course, cohort_ids
        )
        .where(Attempt.number == 1)
        .subquery("scope")
    )
    totals = {
        lesson_id: (count, mean, passed)
        for lesson_id, count, mean, passed in db.session.execute(
            select(
                scope.c.lesson_id,
                func.count(),
                func.avg(scope.c.score),
                func.sum(case((scope.c.passed, 1), else_=0)),
            ).group_by(scope.c.lesson_id)
        )
    }
    # The same (credit, rest) cells as the item analysis, for every quiz at once.
    rest = scope.c.points - AttemptAnswer.credit
    cells: dict[tuple[str, str], list[tuple[float, float, int]]] = defaultdict(list)
    for lesson_id, question_id, credit, rest_value, count in db.session.execute(
        select(scope.c.lesson_id, AttemptAnswer.question_id, AttemptAnswer.credit, rest, func.count())
        .join(scope, scope.c.id == AttemptAnswer.attempt_id)
        .group_by(scope.c.lesson_id, AttemptAnswer.question_id, AttemptAnswer.credit, rest)
    ):
        cells[(lesson_id, question_id)].append((credit, rest_value, count))
    flagged: dict[str, int] = defaultdict(int)
    for (lesson_id, _question_id), question_cells in cells.items():
        if flags_for(item_statistics(item_sums(question_cells))):
            flagged[lesson_id] += 1
    summaries = {}
    for lesson_id in course.lesson_ids:
        count, mean, passed = totals.get(lesson_id, (0, None, 0))
        rate = 100.0 * int(passed or 0) / count if count else None
        summaries[lesson_id] = QuizSummary(count, mean, rate, flagged.get(lesson_id, 0))
    return summaries
