"""Drawing attempts and grading responses: pure functions of questions and answers.

Partial credit (documented for authors in docs/authoring.md):
- single, true_false: 1 if right, else 0.
- multiple: (correct chosen - wrong chosen) / number correct, floored at 0.
- ordering: (longest subsequence in the right relative order - 1) / (items - 1).
- matching: terms matched correctly / number of terms.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .course import (
    MatchingQuestion,
    MultipleResponseQuestion,
    OrderingQuestion,
    Question,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)

# The shape of one answer, by question type: single -> option id; multiple -> set of option
# ids; true_false -> bool; ordering -> item ids in the learner's order; matching -> term id to
# match id. None means unanswered.
Response = str | frozenset[str] | bool | tuple[str, ...] | Mapping[str, str] | None


class InvalidResponse(ValueError):
    """Raised when an answer does not fit its question: unknown ids, wrong shape."""


class StaleAttempt(LookupError):
    """Raised when an attempt's questions or options no longer exist in the course pack."""


@dataclass(frozen=True)
class PresentedQuestion:
    """One question as an attempt shows it: which question and in what order its parts appear."""

    question_id: str
    option_order: tuple[str, ...] = ()
    term_order: tuple[str, ...] = ()

    def to_json(self) -> dict:
        data: dict = {"q": self.question_id}
        if self.option_order:
            data["o"] = list(self.option_order)
        if self.term_order:
            data["t"] = list(self.term_order)
        return data

    @classmethod
    def from_json(cls, data: Mapping) -> PresentedQuestion:
        return cls(data["q"], tuple(data.get("o", ())), tuple(data.get("t", ())))


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    credit: float
    correct: bool


@dataclass(frozen=True)
class AttemptResult:
    score: float
    passed: bool
    results: tuple[QuestionResult, ...]

    @property
    def points(self) -> float:
        """The exact sum of credits (score is this as a rounded percentage)."""
        return sum(result.credit for result in self.results)


def draw_questions(bank: Sequence[Question], count: int, rng: random.Random) -> tuple[PresentedQuestion, ...]:
    """Draw count questions from the bank in random order, each with its parts shuffled."""
    chosen = rng.sample(list(bank), min(count, len(bank)))
    presented = []
    for question in chosen:
        options = [option.id for option in question.options_to_shuffle()]
        terms = [term.id for term in question.terms] if isinstance(question, MatchingQuestion) else []
        presented.append(
            PresentedQuestion(
                question.id, tuple(rng.sample(options, len(options))), tuple(rng.sample(terms, len(terms)))
            )
        )
    return tuple(presented)


def resolve_presented(
    questions_by_id: Mapping[str, Question], presented: Sequence[PresentedQuestion]
) -> tuple[Question, ...]:
    """Return the questions an attempt showed; raise StaleAttempt if the pack changed under it."""
    questions = []
    for shown in presented:
        question = questions_by_id.get(shown.question_id)
        if question is None:
            raise StaleAttempt(f"question {shown.question_id!r} is no longer in the course")
        current = {option.id for option in question.options_to_shuffle()}
        if current != set(shown.option_order):
            raise StaleAttempt(f"the options of question {shown.question_id!r} have changed")
        if isinstance(question, MatchingQuestion) and {t.id for t in question.terms} != set(shown.term_order):
            raise StaleAttempt(f"the terms of question {shown.question_id!r} have changed")
        questions.append(question)
    return tuple(questions)


def check_response(question: Question, response: Response) -> None:
    """Raise InvalidResponse unless the response has the question's shape and known ids."""
    if response is None:
        return
    if isinstance(question, SingleChoiceQuestion):
        if not isinstance(response, str) or response not in {o.id for o in question.options}:
            raise InvalidResponse(f"{question.id}: unknown option")
    elif isinstance(question, MultipleResponseQuestion):
        if not isinstance(response, frozenset) or not response <= {o.id for o in question.options}:
            raise InvalidResponse(f"{question.id}: unknown option")
    elif isinstance(question, TrueFalseQuestion):
        if not isinstance(response, bool):
            raise InvalidResponse(f"{question.id}: expected true or false")
    elif isinstance(question, OrderingQuestion):
        items = [item.id for item in question.sequence]
        if not isinstance(response, tuple) or sorted(response) != sorted(items):
            raise InvalidResponse(f"{question.id}: each item must be placed exactly once")
    elif isinstance(question, MatchingQuestion):
        matches = {match.id for match in question.matches}
        if not isinstance(response, Mapping) or set(response) != set(question.key):
            raise InvalidResponse(f"{question.id}: every term needs one match")
        if not set(response.values()) <= matches:
            raise InvalidResponse(f"{question.id}: unknown match")


def _longest_increasing(values: Sequence[int]) -> int:
    tails: list[int] = []
    for value in values:
        position = bisect.bisect_left(tails, value)
        if position == len(tails):
            tails.append(value)
        else:
            tails[position] = value
    return len(tails)


def credit_for(question: Question, response: Response) -> float:
    """Return the credit (0 to 1) a valid response earns; raise InvalidResponse if it is not valid."""
    check_response(question, response)
    if response is None:
        return 0.0
    if isinstance(question, SingleChoiceQuestion):
        return 1.0 if response == question.answer_id else 0.0
    if isinstance(question, TrueFalseQuestion):
        return 1.0 if response is question.answer else 0.0
    if isinstance(question, MultipleResponseQuestion):
        right = len(response & question.answer_ids)
        wrong = len(response - question.answer_ids)
        return max(0.0, (right - wrong) / len(question.answer_ids))
    if isinstance(question, OrderingQuestion):
        position = {item.id: index for index, item in enumerate(question.sequence)}
        in_order = _longest_increasing([position[item] for item in response])
        return (in_order - 1) / (len(question.sequence) - 1)
    if isinstance(question, MatchingQuestion):
        right = sum(1 for term, match in response.items() if question.key[term] == match)
        return right / len(question.key)
    raise InvalidResponse(f"{question.id}: unsupported question type {question.type!r}")


def grade_question(question: Question, response: Response) -> QuestionResult:
    """Grade one response; a question is correct only with full credit."""
    credit = credit_for(question, response)
    return QuestionResult(question.id, credit, credit >= 1.0 - 1e-9)


def grade_attempt(questions: Sequence[Question], responses: Mapping[str, Response], pass_mark: float) -> AttemptResult:
    """Grade every question of an attempt; raise InvalidResponse for an answer to a question not asked."""
    asked = {question.id for question in questions}
    extra = set(responses) - asked
    if extra:
        raise InvalidResponse(f"answers to questions not in this attempt: {', '.join(sorted(extra))}")
    if not questions:
        raise InvalidResponse("an attempt needs at least one question")
    results = tuple(grade_question(question, responses.get(question.id)) for question in questions)
    score = 100.0 * sum(result.credit for result in results) / len(results)
    # Compare before rounding so that 69.996 does not pass a 70 mark.
    passed = score >= pass_mark - 1e-9
    return AttemptResult(round(score, 2), passed, results)


def response_to_json(response: Response) -> object:
    """Return a JSON-ready form of a response (sets become sorted lists)."""
    if isinstance(response, frozenset):
        return sorted(response)
    if isinstance(response, tuple):
        return list(response)
    if isinstance(response, Mapping):
        return dict(response)
    return response


def response_from_json(question: Question, data: object) -> Response:
    """Rebuild a stored response for its question's type; None if blank or of another shape."""
    if data is None:
        return None
    if isinstance(question, MultipleResponseQuestion) and isinstance(data, list):
        return frozenset(data)
    if isinstance(question, OrderingQuestion) and isinstance(data, list):
        return tuple(data)
    if isinstance(question, MatchingQuestion) and isinstance(data, dict):
        return dict(data)
    if isinstance(question, TrueFalseQuestion) and isinstance(data, bool):
        return data
    if isinstance(question, SingleChoiceQuestion) and isinstance(data, str):
        return data
    return None
