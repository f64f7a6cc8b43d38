"""Drawing attempts and grading responses: pure functions of questions and answers.

Each question type checks and credits its own responses (lms.domain.questions); the partial-credit
rules are documented for authors in docs/authoring.md and in each type's module docstring.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .questions import InvalidResponse, Question, Response

# Scores and credits are sums of fractions: compare with a tolerance, before any rounding.
TOLERANCE = 1e-9


def passes(score: float, mark: float) -> bool:
    """Return whether a score reaches a mark, allowing for floating-point error (69.996 stays below 70)."""
    return score >= mark - TOLERANCE


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
        terms = [term.id for term in question.terms_to_shuffle()]
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
        if {term.id for term in question.terms_to_shuffle()} != set(shown.term_order):
            raise StaleAttempt(f"the terms of question {shown.question_id!r} have changed")
        questions.append(question)
    return tuple(questions)


def check_response(question: Question, response: Response) -> None:
    """Raise InvalidResponse unless the response is blank or has the question's shape and known ids."""
    if response is not None:
        question.check(response)


def credit_for(question: Question, response: Response) -> float:
    """Return the credit (0 to 1) a valid response earns; raise InvalidResponse if it is not valid."""
    check_response(question, response)
    return 0.0 if response is None else question.credit(response)


def grade_question(question: Question, response: Response) -> QuestionResult:
    """Grade one response; a question is correct only with full credit."""
    credit = credit_for(question, response)
    return QuestionResult(question.id, credit, passes(credit, 1.0))


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
    return AttemptResult(round(score, 2), passes(score, pass_mark), results)


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
    return None if data is None else question.response_from_json(data)
