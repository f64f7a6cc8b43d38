"""Text for people: a learner's answer and a question's key, shared by learner and instructor pages."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.course import (
    MatchingQuestion,
    MultipleResponseQuestion,
    OrderingQuestion,
    Question,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)
from ..domain.grading import Response, response_from_json
from ..models import AttemptAnswer

REMOVED = "(option since removed)"


def describe_response(question: Question, response: Response) -> list[str]:
    """Return an answer as lines of text, in the learner's own terms."""
    if response is None:
        return ["(no answer)"]
    texts = {option.id: option.text for option in question.options_to_shuffle()}
    if isinstance(question, SingleChoiceQuestion):
        return [texts.get(response, REMOVED)]
    if isinstance(question, MultipleResponseQuestion):
        return [texts.get(option, REMOVED) for option in sorted(response, key=lambda o: texts.get(o, ""))]
    if isinstance(question, TrueFalseQuestion):
        return ["True" if response else "False"]
    if isinstance(question, OrderingQuestion):
        return [f"{n}. {texts.get(item, REMOVED)}" for n, item in enumerate(response, start=1)]
    if isinstance(question, MatchingQuestion):
        terms = {term.id: term.text for term in question.terms}
        return [f"{terms.get(term, REMOVED)} → {texts.get(match, REMOVED)}" for term, match in response.items()]
    return []


def describe_key(question: Question) -> list[str]:
    """Return the right answer as lines of text (for instructors' review only)."""
    if isinstance(question, SingleChoiceQuestion):
        return describe_response(question, question.answer_id)
    if isinstance(question, MultipleResponseQuestion):
        return describe_response(question, question.answer_ids)
    if isinstance(question, TrueFalseQuestion):
        return describe_response(question, question.answer)
    if isinstance(question, OrderingQuestion):
        return describe_response(question, tuple(item.id for item in question.sequence))
    if isinstance(question, MatchingQuestion):
        return describe_response(question, question.key)
    return []


@dataclass(frozen=True)
class ReviewItem:
    """One graded question as a review shows it."""

    number: int
    question: Question | None
    answer: list[str]
    key: list[str]
    credit: float
    correct: bool


def review_items(answers: list[AttemptAnswer], questions_by_id, with_key: bool = False) -> list[ReviewItem]:
    """Pair each stored answer with its question from the pack (None if since removed)."""
    items = []
    for answer in answers:
        question = questions_by_id(answer.question_id)
        lines = describe_response(question, response_from_json(question, answer.response)) if question else []
        key = describe_key(question) if question and with_key else []
        items.append(ReviewItem(answer.position + 1, question, lines, key, answer.credit, answer.correct))
    return items
