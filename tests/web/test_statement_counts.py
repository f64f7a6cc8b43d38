"""Instructor pages cost the same number of SQL statements at 10 and at 1,000 learners."""

import random
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select

from lms.domain.simulation import pick_special_questions, simulate_cohort
from lms.extensions import db
from lms.models import Enrollment
from lms.services.demo import write_cohort
from lms.services.progress import course_progress

from ..conftest import MINI_PACK


@pytest.fixture
def app_config():
    return {"COURSE_PACK_PATH": str(MINI_PACK)}


@contextmanager
def counting():
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def add_learners(course, count: int, seed: int) -> None:
    rng = random.Random(seed)
    hard, broken = pick_special_questions(course, rng)
    write_cohort(course, simulate_cohort(course, count, rng, datetime.now(UTC), broken, hard))
    db.session.commit()


def busiest_enrollment() -> int:
    return db.session.execute(select(Enrollment.id).order_by(Enrollment.attempts_used.desc()).limit(1)).scalar_one()


def statement_counts(client) -> dict[str, int]:
    paths = [
        "/courses/mini-course/instructor/",
        "/courses/mini-course/instructor/?sort=section:alpha&dir=asc&q=a",
        "/courses/mini-course/instructor/?status=in-progress&band=Almost&sort=name",
        "/courses/mini-course/instructor/?status=out-of-attempts&q=e+a",
        "/courses/mini-course/instructor/?members=all&sort=name",
        "/courses/mini-course/instructor/?members=left",
        "/courses/mini-course/instructor/limits",
        f"/courses/mini-course/instructor/learners/{busiest_enrollment()}",
        "/courses/mini-course/instructor/quizzes",
        "/courses/mini-course/instructor/quizzes/alpha",
        "/courses/mini-course/instructor/quizzes/beta?basis=all",
        "/courses/mini-course/instructor/export/roster.csv",
        "/courses/mini-course/instructor/export/roster.csv?sort=section:beta&dir=asc",
        "/courses/mini-course/instructor/export/roster.csv?members=all",
        "/courses/mini-course/instructor/export/attempts.csv",
    ]
    counts = {}
    # Warm up: the first request of a test client's session marks it not fresh (Flask-Login's session
    # protection, as the test client sets no `_id`), a one-off write to the server-side session.
    client.get(paths[0])
    for path in paths:
        key = path if "learners" not in path else "/courses/mini-course/instructor/learners/<busiest>"
        with counting() as statements:
            assert client.get(path).status_code == 200, path
        counts[key] = len(statements)
    return counts


def test_instructor_pages_cost_the_same_at_10_and_1000_learners(instructor_client, course):
    add_learners(course, 10, seed=1)
    small = statement_counts(instructor_client)
    add_learners(course, 990, seed=2)
    large = statement_counts(instructor_client)
    assert small == large
    assert max(large.values()) <= 9, large  # 8 before server-side sessions: each page reads its session row


def test_demo_cohort_readiness_matches_the_learner_view(app, course):
    add_learners(course, 200, seed=3)
    enrollments = db.session.execute(select(Enrollment)).scalars().all()
    assert len(enrollments) == 200
    for enrollment in enrollments[:50]:
        progress = course_progress(enrollment, course)
        assert enrollment.readiness_score == pytest.approx(progress.readiness.score)
        assert enrollment.readiness_band == progress.readiness.band
        assert enrollment.lessons_completed == progress.completed


def test_a_whole_quiz_attempt_costs_the_same_at_10_and_1000_learners(app, course, make_user, quiz):
    def attempt_statements(email: str) -> int:
        client = app.test_client(user=make_user("Taker", email))
        with counting() as statements:
            quiz.take(client, "alpha", correct=3)
        return len(statements)

    add_learners(course, 10, seed=4)
    small = attempt_statements("taker10@example.org")
    add_learners(course, 990, seed=5)
    assert attempt_statements("taker1000@example.org") == small
