"""Text for people: a learner's answer and a question's key, shared by learner and instructor pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..domain.grading import PresentedQuestion, QuestionResult, Response, response_from_json
from ..domain.questions import Question
from ..domain.review import Mark, mark_answer
from ..models import AttemptAnswer

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
