"""Text for people: a learner's answer and a question's key, shared by learner and instructor pages."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ..domain.course import Course, Lesson
from ..domain.grading import PresentedQuestion, QuestionResult, Response, response_from_json
from ..domain.next_step import BandGoal, LessonState, NextStep, next_step
from ..domain.questions import Question
from ..domain.readiness import Readiness
from ..domain.review import Mark, mark_answer
from ..models import Attempt, AttemptAnswer, LessonProgress

REMOVED = "(option since removed)"
NO_ANSWER = "(no answer)"


def describe_response(question: Question, response: Response) -> list[str]:
    """Return an answer as lines of text, in the learner's own terms."""
    return [NO_ANSWER] if response is None else question.describe(response, REMOVED)


def describe_key(question: Question) -> list[str]:
    """Return the right answer as lines of text (for instructors' review only)."""
    return describe_response(question, question.key_response())


@dataclass(frozen=True)
class ReviewItem:
    """One graded question as a review shows it."""

    number: int
    question: Question | None
    answer: list[str]
    key: list[str]
    credit: float
    correct: bool
    marks: list[Mark] = field(default_factory=list)  # the learner's review: each part right or wrong


def review_items(
    answers: list[AttemptAnswer], question_for: Callable[[str], Question | None], with_key: bool = False
) -> list[ReviewItem]:
    """Pair each stored answer with its question from the pack (None if since removed)."""
    items = []
    for answer in answers:
        question = question_for(answer.question_id)
        lines = describe_response(question, response_from_json(question, answer.response)) if question else []
        key = describe_key(question) if question and with_key else []
        items.append(ReviewItem(answer.position + 1, question, lines, key, answer.credit, answer.correct))
    return items


def marked_review_items(
    answers: list[AttemptAnswer],
    layout: Sequence[dict],
    question_for: Callable[[str], Question | None],
    show_key: bool,
) -> list[ReviewItem]:
    """Review items for the learner: each answer marked part by part; the key only when show_key."""
    shown = {item["q"]: PresentedQuestion.from_json(item) for item in layout}
    items = []
    for answer in answers:
        question = question_for(answer.question_id)
        marks = []
        if question is not None:
            response = response_from_json(question, answer.response)
            marks = mark_answer(question, response, shown.get(question.id), show_key, REMOVED)
        items.append(ReviewItem(answer.position + 1, question, [], [], answer.credit, answer.correct, marks))
    return items


def graded_results(answers: list[AttemptAnswer]) -> list[QuestionResult]:
    """Return an attempt's stored answers as the grader's results."""
    return [QuestionResult(answer.question_id, answer.credit, answer.correct) for answer in answers]


def continue_step(
    course: Course,
    progress: dict[str, LessonProgress],
    open_by_lesson: dict[str, Attempt],
    limits: Mapping[str, int | None] | None = None,
) -> NextStep:
    """Choose the learner's next step from their progress rows, attempts in progress and limits (None: no limit)."""
    limits = limits or {}
    states = []
    for lesson_id in course.lesson_ids:
        row = progress.get(lesson_id)
        in_progress = open_by_lesson.get(lesson_id)
        states.append(
            LessonState(
                lesson_id,
                read=row is not None and row.read_at is not None,
                passed=row is not None and row.passed_at is not None,
                attempts=row.attempts_count if row else 0,
                open_attempt_id=in_progress.id if in_progress else None,
                max_attempts=(limits[lesson_id] or 0) if lesson_id in limits else None,
            )
        )
    return next_step(states, course.quiz.max_attempts)


def out_of_attempts(
    course: Course, progress: dict[str, LessonProgress], limits: Mapping[str, int | None]
) -> list[Lesson]:
    """The lessons whose quiz is not passed and has no attempt left under the learner's limits, in course order."""
    stuck = []
    for lesson in course.lessons:
        row, limit = progress.get(lesson.id), limits.get(lesson.id)
        if row is not None and row.passed_at is None and limit is not None and row.attempts_count >= limit:
            stuck.append(lesson)
    return stuck


def _percent(value: float) -> str:
    return f"{value:.0f}"


def _in_words(items: Sequence[str]) -> str:
    """Join names as people do: 'A', 'A and B', 'A, B and C'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def band_rules(course: Course) -> list[tuple[str, str]]:
    """Say what each readiness band asks for, top band first."""
    pass_mark = _percent(course.quiz.pass_mark)
    rules = []
    bands = course.readiness.bands
    for index, band in enumerate(bands):
        if band.min_score > 0:
            rule = f"a readiness score of {_percent(band.min_score)} or more"
            if band.all_passed:
                rule += f", with every quiz passed ({pass_mark} % or more)"
        elif index > 0:
            rule = f"a score below {_percent(bands[index - 1].min_score)}"
            if bands[index - 1].all_passed:
                rule += ", or a quiz not passed yet"
        else:
            rule = "any score"
        rules.append((band.name, rule + "."))
    return rules


def band_goal_text(course: Course, readiness: Readiness, goal: BandGoal | None) -> str:
    """Say what the learner's next band needs: 'Pass Networking with 70 % to reach Ready.'"""
    if goal is None:
        return f"You are in the top band, {readiness.band}. Keep it by reviewing what you missed."
    steps = []
    if goal.to_pass:
        titles = [course.lesson(lesson_id).title for lesson_id in goal.to_pass]
        steps.append(f"pass {_in_words(titles)} with {_percent(course.quiz.pass_mark)} %")
    if goal.score_needed is not None:
        steps.append(f"bring your readiness score to {_percent(goal.score_needed)} (now {_percent(readiness.score)})")
    sentence = " and ".join(steps) or "keep going"
    return f"{sentence[0].upper()}{sentence[1:]} to reach {goal.band.name}."
