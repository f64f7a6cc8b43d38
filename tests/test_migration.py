"""Migration 0002 on a database built by the previous release's `lms demo` keeps every learner's record.

tests/data/demo-0001.json.gz holds the rows of such a database (120 demo learners and the first
instructor, revision 0001), as JSON so that the same rows load into SQLite and PostgreSQL: the test
builds the 0001 schema with the real migration, inserts the rows with SQLAlchemy core, upgrades to
head and compares.
"""

import gzip
import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_login import FlaskLoginClient
from flask_migrate import downgrade, upgrade
from sqlalchemy.engine import make_url

from lms import create_app
from lms.extensions import db
from lms.models import Attempt, Cohort, Enrollment, LessonProgress, User
from lms.services.progress import course_progress

from .conftest import BACKEND, PROJECT_ROOT

DUMP = Path(__file__).parent / "data" / "demo-0001.json.gz"
MIGRATIONS = str(PROJECT_ROOT / "migrations")
TABLES = ("users", "enrollments", "lesson_progress", "attempts", "attempt_answers")


@pytest.fixture
def blank_database(tmp_path):
    """A database of its own, empty (the run's shared one is already at head)."""
    if BACKEND != "postgres":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    server = make_url(os.environ["TEST_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"lms_migration_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _value(column: sa.Column, value):
    """Turn a value as SQLite stored it into what the column takes on any database."""
    if value is None:
        return None
    if isinstance(column.type, sa.DateTime):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    if isinstance(column.type, sa.Boolean):
        return bool(value)
    if isinstance(column.type, sa.JSON):
        return json.loads(value)
    return value


def load_dump(connection) -> dict:
    """Insert the dump's rows into the 0001 tables; return the rows as dicts by table."""
    dump = json.loads(gzip.decompress(DUMP.read_bytes()))
    assert dump["revision"] == "0001"
    metadata = sa.MetaData()
    loaded = {}
    for name in TABLES:
        table = sa.Table(name, metadata, autoload_with=connection)
        part = dump["tables"][name]
        rows = [
            {column: _value(table.c[column], value) for column, value in zip(part["columns"], row, strict=True)}
            for row in part["rows"]
        ]
        connection.execute(table.insert(), rows)
        loaded[name] = rows
        if connection.dialect.name == "postgresql":
            # Rows came with their ids: move the sequence past them, as the old database had it.
            connection.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id)) FROM {name}"))
    return loaded


def test_upgrading_a_demo_database_keeps_every_score_attempt_and_progress_row(blank_database):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": blank_database,
            "TESTING": True,
            "SECRET_KEY": "test",
            "COURSE_PACK_PATH": str(PROJECT_ROOT),  # the dump comes from the real course
            "ENROLLMENT_CODE": None,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0001")
        with db.engine.begin() as connection:
            old = load_dump(connection)
        upgrade(directory=MIGRATIONS, revision="head")

        learners = db.session.execute(db.select(Enrollment).where(Enrollment.role == "learner")).scalars().all()
        assert len(learners) == len(old["enrollments"]) == 120
        by_id = {enrollment.id: enrollment for enrollment in learners}
        for row in old["enrollments"]:
            kept = by_id[row["id"]]
            assert (kept.user_id, kept.course_id, kept.readiness_score, kept.readiness_band) == (
                row["user_id"], row["course_id"], row["readiness_score"], row["readiness_band"],
            )  # fmt: skip
            assert (kept.lessons_completed, kept.attempts_used, kept.completed_at) == (
                row["lessons_completed"], row["attempts_used"], row["completed_at"],
            )  # fmt: skip

        cohorts = db.session.execute(db.select(Cohort)).scalars().all()
        assert [(c.course_id, c.slug) for c in cohorts] == [("medical-office-manager", "default")]
        assert {enrollment.cohort_id for enrollment in learners} == {cohorts[0].id}

        attempts = {a.id: a for a in db.session.execute(db.select(Attempt)).scalars()}
        assert len(attempts) == len(old["attempts"]) == 531
        for row in old["attempts"]:
            kept = attempts[row["id"]]
            assert (kept.enrollment_id, kept.lesson_id, kept.number, kept.score, kept.points, kept.passed) == (
                row["enrollment_id"], row["lesson_id"], row["number"], row["score"], row["points"], row["passed"],
            )  # fmt: skip
            assert kept.submitted_at == row["submitted_at"] and kept.layout == row["layout"]
            assert kept.course_id == by_id[row["enrollment_id"]].course_id
        answers = db.session.execute(db.select(db.func.count()).select_from(sa.table("attempt_answers"))).scalar()
        assert answers == len(old["attempt_answers"])

        progress = {p.id: p for p in db.session.execute(db.select(LessonProgress)).scalars()}
        assert len(progress) == len(old["lesson_progress"])
        for row in old["lesson_progress"]:
            kept = progress[row["id"]]
            assert (kept.first_score, kept.latest_score, kept.best_score, kept.score_total, kept.passed_at) == (
                row["first_score"], row["latest_score"], row["best_score"], row["score_total"], row["passed_at"],
            )  # fmt: skip
            assert (kept.first_viewed_at, kept.read_at, kept.attempts_count) == (
                row["first_viewed_at"], row["read_at"], row["attempts_count"],
            )  # fmt: skip

        # The first instructor is an administrator and the existing course's instructor.
        (instructor,) = db.session.execute(db.select(User).where(User.is_admin)).scalars().all()
        assert instructor.email == "instructor@example.org"
        staff = db.session.execute(db.select(Enrollment).where(Enrollment.user_id == instructor.id)).scalar_one()
        assert (staff.course_id, staff.role) == ("medical-office-manager", "instructor")

        # The upgraded database works: live readiness equals what was stored, and the roster shows everyone.
        course = app.extensions["lms.catalog"].default
        for enrollment in learners[:40]:
            live = course_progress(enrollment, course)
            assert enrollment.readiness_score == pytest.approx(live.readiness.score)
        app.test_client_class = FlaskLoginClient
        roster = app.test_client(user=instructor).get("/courses/medical-office-manager/instructor/")
        assert (
            roster.status_code == 200
            and '<span class="stat-label">Enrolled</span> <span class="stat-value">120</span>'
            in roster.get_data(as_text=True)
        )
        db.session.remove()
        db.engine.dispose()


def test_the_migration_goes_back_to_0001_keeping_the_learners_records(blank_database):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": blank_database,
            "TESTING": True,
            "SECRET_KEY": "test",
            "COURSE_PACK_PATH": str(PROJECT_ROOT),
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0001")
        with db.engine.begin() as connection:
            old = load_dump(connection)
        upgrade(directory=MIGRATIONS, revision="head")
        downgrade(directory=MIGRATIONS, revision="0001")
        with db.engine.connect() as connection:
            for name in TABLES:
                count = connection.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar()
                assert count == len(old[name]), name
            assert connection.execute(sa.text("SELECT count(*) FROM users WHERE is_instructor")).scalar() == 1
        db.engine.dispose()
