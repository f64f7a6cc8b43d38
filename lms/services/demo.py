"""Write a simulated cohort into the database in bulk, for demos, benchmarks and scale tests.

Summaries (progress rows, completion, readiness) are computed with the same functions the
app uses on every write, so a demo database looks exactly like one filled by real learners.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from werkzeug.security import generate_password_hash

from ..domain.course import Course
from ..domain.grading import response_to_json
from ..domain.readiness import SectionAttempts, readiness_for
from ..domain.simulation import SimulatedLearner
from ..extensions import db
from ..models import Attempt, AttemptAnswer, Cohort, Enrollment, LessonProgress, User, utcnow
from .accounts import PASSWORD_METHOD
from .cohorts import ensure_default_cohort
from .progress import summary_key

DEMO_DOMAIN = "@demo.example"
DEMO_PASSWORD = "demo-password"


class DemoDataPresent(RuntimeError):
    """Raised when the database already holds demo learners."""


@dataclass
class DemoCounts:
    learners: int = 0
    attempts: int = 0
    answers: int = 0


def demo_learners_present() -> bool:
    """True if demo learners were already written to this database."""
    query = select(User.id).where(User.email.endswith(DEMO_DOMAIN)).limit(1)
    return db.session.execute(query).first() is not None


def _batches(learners: Iterable[SimulatedLearner], size: int) -> Iterator[list[SimulatedLearner]]:
    batch: list[SimulatedLearner] = []
    for learner in learners:
        batch.append(learner)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _inserted_ids(model, rows: list[dict]) -> list[int]:
    """Insert rows and return their new ids in the order given."""
    if not rows:
        return []
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(db.session.execute(statement, rows).scalars())


def write_cohort(
    course: Course,
    learners: Iterable[SimulatedLearner],
    batch_size: int = 1000,
    on_batch=None,
    cohort: Cohort | None = None,
) -> DemoCounts:
    """Insert simulated learners with their progress, attempts and answers; flush per batch."""
    password_hash = generate_password_hash(DEMO_PASSWORD, method=PASSWORD_METHOD)
    cohort = cohort or ensure_default_cohort(course.id, None, utcnow())
    key = summary_key(course)
    pass_mark = course.quiz.pass_mark
    questions = {q.id: q for lesson in course.lessons for q in lesson.questions}
    counts = DemoCounts()
    for batch in _batches(learners, batch_size):
        user_ids = _inserted_ids(
            User,
            [
                # Verified: made-up learners cannot open a mail, and a quiz needs a verified address.
                {"email": learner.email, "name": learner.name, "password_hash": password_hash,
                 "created_at": learner.enrolled_at, "email_verified_at": learner.enrolled_at, "is_admin": False}
                for learner in batch
            ],
        )  # fmt: skip
        enrollment_rows, progress_rows, attempt_rows, answer_batches = [], [], [], []
        for learner, user_id in zip(batch, user_ids, strict=True):
            sections, times = {}, [learner.enrolled_at]
            completed = 0
            for lesson in learner.lessons:
                scores = [attempt.result.score for attempt in lesson.attempts]
                sections[lesson.lesson_id] = SectionAttempts.from_scores(
                    scores, pass_mark, passed=[attempt.result.passed for attempt in lesson.attempts]
                )
                passed_at = next((a.submitted_at for a in lesson.attempts if a.result.passed), None)
                completed += lesson.read_at is not None and passed_at is not None
                times += [t for t in (lesson.first_viewed_at, lesson.read_at) if t]
                times += [a.submitted_at for a in lesson.attempts]
                progress_rows.append(
                    {
                        "lesson_id": lesson.lesson_id,
                        "first_viewed_at": lesson.first_viewed_at,
                        "read_at": lesson.read_at,
                        "attempts_count": len(scores),
                        "first_score": scores[0] if scores else None,
                        "latest_score": scores[-1] if scores else None,
                        "best_score": max(scores) if scores else None,
                        "score_total": sum(scores),
                        "passed_at": passed_at,
                    }
                )
                for attempt in lesson.attempts:
                    attempt_rows.append(
                        {
                            "course_id": course.id,
                            "lesson_id": lesson.lesson_id,
                            "number": attempt.number,
                            "question_count": len(attempt.presented),
                            "started_at": attempt.started_at,
                            "submitted_at": attempt.submitted_at,
                            "score": attempt.result.score,
                            "points": attempt.result.points,
                            "passed": attempt.result.passed,
                            "layout": [shown.to_json() for shown in attempt.presented],
                        }
                    )
                    answer_batches.append(
                        [
                            {
                                "position": position,
                                "question_id": graded.question_id,
                                "response": response_to_json(attempt.responses.get(graded.question_id)),
                                "credit": graded.credit,
                                "correct": graded.correct,
                            }
                            for position, graded in enumerate(attempt.result.results)
                            if graded.question_id in questions
                        ]
                    )
            readiness = readiness_for(course.readiness, course.lesson_ids, sections)
            started = [t for t in times[1:]]
            enrollment_rows.append(
                {
                    "user_id": user_id,
                    "course_id": course.id,
                    "cohort_id": cohort.id,
                    "role": "learner",
                    "summary_key": key,
                    "enrolled_at": learner.enrolled_at,
                    "started_at": min(started) if started else None,
                    "last_activity_at": max(times),
                    "lessons_completed": completed,
                    "attempts_used": sum(s.attempts for s in sections.values()),
                    "completed_at": max(times) if completed == len(course.lessons) else None,
                    "readiness_score": readiness.score,
                    "readiness_band": readiness.band,
                }
            )
        enrollment_ids = _inserted_ids(Enrollment, enrollment_rows)
        # Progress and attempts were gathered learner by learner, lesson by lesson: attach ids in order.
        per_learner = len(course.lessons)
        for index, row in enumerate(progress_rows):
            row["enrollment_id"] = enrollment_ids[index // per_learner]
        attempt_owner = []
        for learner_index, learner in enumerate(batch):
            for lesson in learner.lessons:
                attempt_owner += [enrollment_ids[learner_index]] * len(lesson.attempts)
        for row, enrollment_id in zip(attempt_rows, attempt_owner, strict=True):
            row["enrollment_id"] = enrollment_id
        db.session.execute(insert(LessonProgress), progress_rows)
        attempt_ids = _inserted_ids(Attempt, attempt_rows)
        answer_rows = [
            {**answer, "attempt_id": attempt_id}
            for attempt_id, answers in zip(attempt_ids, answer_batches, strict=True)
            for answer in answers
        ]
        if answer_rows:
            db.session.execute(insert(AttemptAnswer), answer_rows)
        db.session.flush()
        counts.learners += len(batch)
        counts.attempts += len(attempt_rows)
        counts.answers += len(answer_rows)
        if on_batch is not None:
            on_batch(len(batch))
    return counts


def count_enrollments(course: Course) -> int:
    """How many learners (not staff) are enrolled in the course."""
    return db.session.execute(
        select(func.count())
        .select_from(Enrollment)
        .where(Enrollment.course_id == course.id, Enrollment.role == "learner")
    ).scalar_one()
