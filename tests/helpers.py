"""Test helpers that know the answer keys: build right or wrong quiz form data for an attempt."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event

from lms.domain.course import (
    Course,
    MatchingQuestion,
    MultipleResponseQuestion,
    OrderingQuestion,
    Question,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)
from lms.domain.grading import PresentedQuestion
from lms.models import Attempt


def right_fields(name: str, question: Question) -> dict:
    """Form fields that answer a question fully right."""
    if isinstance(question, SingleChoiceQuestion):
        return {name: question.answer_id}
    if isinstance(question, MultipleResponseQuestion):
        return {name: sorted(question.answer_ids)}
    if isinstance(question, TrueFalseQuestion):
        return {name: "true" if question.answer else "false"}
    if isinstance(question, OrderingQuestion):
        return {f"{name}-{item.id}": str(n) for n, item in enumerate(question.sequence, start=1)}
    if isinstance(question, MatchingQuestion):
        return {f"{name}-{term}": match for term, match in question.key.items()}
    raise TypeError(question)


def wrong_fields(name: str, question: Question) -> dict:
    """Form fields that earn no credit at all."""
    if isinstance(question, SingleChoiceQuestion):
        return {name: next(o.id for o in question.options if o.id != question.answer_id)}
    if isinstance(question, MultipleResponseQuestion):
        return {name: [next(o.id for o in question.options if o.id not in question.answer_ids)]}
    if isinstance(question, TrueFalseQuestion):
        return {name: "false" if question.answer else "true"}
    if isinstance(question, OrderingQuestion):
        count = len(question.sequence)
        return {f"{name}-{item.id}": str(count - n) for n, item in enumerate(question.sequence)}
    if isinstance(question, MatchingQuestion):
        terms = list(question.key)
        matches = [question.key[term] for term in terms]
        rotated = matches[1:] + matches[:1]
        return {f"{name}-{term}": match for term, match in zip(terms, rotated, strict=True)}
    raise TypeError(question)


class QuizAnswers:
    """The questions of an attempt, in the order shown, with form data to answer them."""

    def __init__(self, course: Course, attempt: Attempt):
        self.presented = [PresentedQuestion.from_json(item) for item in attempt.layout]
        self.questions = [course.question(shown.question_id) for shown in self.presented]

    def form(self, correct: int | None = None) -> dict:
        """Answer the first `correct` questions right and the rest wrong (all right when None)."""
        data: dict = {}
        for number, question in enumerate(self.questions, start=1):
            right = correct is None or number <= correct
            data.update((right_fields if right else wrong_fields)(f"q{number}", question))
        return data


DATA = Path(__file__).parent / "data"
MINI_PACK = DATA / "mini_pack"
# Two packs side by side: mini-course (the mini pack) and second-course, which also has a lesson `alpha`.
CATALOG = DATA / "catalog"


@contextmanager
def counting(engine):
    """Collect the SQL statements run on this engine inside the block."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
