"""What instructors read about one learner: the enrollment, the account, and every attempt with its answers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from ..domain.course import Course
from ..extensions import db
from ..models import Attempt, AttemptAnswer, Enrollment, User


@dataclass(frozen=True)
class LearnerRecord:
    enrollment: Enrollment
    user: User
    attempts: list[Attempt]  # by lesson, then number
    answers: dict[int, list[AttemptAnswer]]  # by attempt id, in the order shown


def learner_record(course: Course, enrollment_id: int, cohort_ids: frozenset[int] | None) -> LearnerRecord | None:
    """Return a learner of the course (in these cohorts) with their attempts and answers, or None: three queries."""
    query = (
        select(Enrollment, User)
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.id == enrollment_id, Enrollment.course_id == course.id, Enrollment.role == "learner")
    )
    if cohort_ids is not None:
        query = query.where(Enrollment.cohort_id.in_(sorted(cohort_ids)))
    found = db.session.execute(query).one_or_none()
    if found is None:
        return None
    enrollment, user = found
    attempts = db.session.execute(
        select(Attempt)
        .where(Attempt.enrollment_id == enrollment.id, Attempt.course_id == course.id)
        .order_by(Attempt.lesson_id, Attempt.number)
    ).scalars()
    answers: dict[int, list[AttemptAnswer]] = defaultdict(list)
    for answer in db.session.execute(
        select(AttemptAnswer)
        .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
        .where(Attempt.enrollment_id == enrollment.id)
        .order_by(AttemptAnswer.attempt_id, AttemptAnswer.position)
    ).scalars():
        answers[answer.attempt_id].append(answer)
    return LearnerRecord(enrollment, user, list(attempts), answers)
