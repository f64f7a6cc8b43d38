"""Test helpers that know the answer keys: build right or wrong quiz form data for an attempt."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event

from lms.domain.course import Course
from lms.domain.grading import PresentedQuestion
from lms.domain.questions import Question
from lms.models import Attempt
from lms.web.question_fields import field_for


def right_fields(name: str, question: Question) -> dict:
    """Form fields that answer a question fully right."""
    return field_for(question.type).form_data(name, question.key_response())


def wrong_fields(name: str, question: Question) -> dict:
    """Form fields that earn no credit at all."""
    return field_for(question.type).form_data(name, question.wrong_response())


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
