"""Shared fixtures: a migrated database per run (SQLite, or PostgreSQL with LMS_TEST_DB=postgres),
an app per test with empty tables, clients, and factories for users, enrollments and attempts."""

from __future__ import annotations

import contextvars
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask_login import FlaskLoginClient
from flask_migrate import upgrade
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import lms
from lms import create_app
from lms.domain.questions import REGISTRY
from lms.extensions import db
from lms.models import Attempt, AttemptAnswer, Enrollment, User
from lms.services.accounts import register_user
from lms.services.enrollments import enroll, set_role

from .helpers import QuizAnswers
from .reuse import assert_no_leaked_listeners, remember_url_builders, shared_engines

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MINI_PACK = Path(__file__).parent / "data" / "mini_pack"
BACKEND = os.environ.get("LMS_TEST_DB", "sqlite")


# Loading the real pack (YAML, Markdown, sanitizing) takes about a quarter of a second, and nearly
# every test makes an app: keep each loaded catalog for the run, keyed by what it was read from
# (every file's size and mtime, and the registered question types), so an edited pack loads again.
_load_catalog = lms.load_catalog
_loaded_catalogs: dict[tuple, object] = {}


def _pack_fingerprint(root: Path) -> tuple:
    files = []
    for folder in ("content", "quizzes", "courses"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                stat = path.stat()
                files.append((str(path), stat.st_mtime_ns, stat.st_size))
    return (str(root.resolve()), tuple(sorted(REGISTRY)), tuple(files))


def _load_catalog_once(root):
    key = _pack_fingerprint(Path(root))
    if key not in _loaded_catalogs:
        _loaded_catalogs[key] = _load_catalog(root)  # a broken pack raises, and is not kept
    return _loaded_catalogs[key]


lms.load_catalog = _load_catalog_once
remember_url_builders()


class _SharedTemplateCode(BytecodeCache):
    """Compiled templates kept for the run: each test's app would otherwise compile every page it renders again."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CODE = _SharedTemplateCode()


def pytest_report_header(config) -> str:
    if BACKEND == "postgres":
        return f"database: PostgreSQL ({os.environ.get('TEST_DATABASE_URL')})"
    return "database: SQLite (set TEST_DATABASE_URL and LMS_TEST_DB=postgres, or run `make test`, for PostgreSQL)"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """Make a database for this run (a fresh PostgreSQL database or SQLite file) and drop it after."""
    if BACKEND != "postgres":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        pytest.exit("LMS_TEST_DB=postgres needs TEST_DATABASE_URL", returncode=2)
    server = make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"lms_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def migrated_database(database_url) -> str:
    """Build the schema once per run with the real migrations (so they are tested too)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True, "SECRET_KEY": "test-secret-key"})
    with app.app_context():
        upgrade(directory=str(PROJECT_ROOT / "migrations"))
        db.engine.dispose()
    return database_url


class IsolatedClient(FlaskLoginClient):
    """A test client whose every request runs in its own app context, as on a real server.

    Tests hold an app context for database access; without this, requests would share it, and
    with it `g` (the signed-in user) and the database session, hiding bugs a server would show.
    """

    def open(self, *args, **kwargs):
        # Buffered, so that a streamed body is also produced inside the request's own context.
        kwargs["buffered"] = True
        return contextvars.Context().run(super().open, *args, **kwargs)


def _empty_tables() -> None:
    # One script of DELETEs, children first, sent as one call: thirty statements through the ORM
    # session, twice per test, were a twentieth of the suite's CPU.
    db.session.commit()
    script = "".join(f'DELETE FROM "{table.name}";' for table in reversed(db.metadata.sorted_tables))
    connection = db.engine.raw_connection()
    try:
        if db.engine.dialect.name == "sqlite":
            connection.driver_connection.executescript(script)
        else:  # psycopg runs several statements in one execute when there are no parameters
            with connection.cursor() as cursor:
                cursor.execute(script)
            connection.commit()
    finally:
        connection.close()


@pytest.fixture
def app_config() -> dict:
    """Per-test configuration overrides; override this fixture or update the dict before `app` is used."""
    return {}


@pytest.fixture
def app(migrated_database, app_config) -> Iterator[Flask]:
    """An app on the run's database, with empty tables before and after the test."""
    config = {
        "SQLALCHEMY_DATABASE_URI": migrated_database,
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "test-secret-key",
        "SERVER_NAME": "localhost",
        "RATELIMIT_ENABLED": False,
        # One iteration: scrypt would be a third of the run (tests/test_config.py checks it in production).
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
        # Each test its own rate-limit counts, also in a shared store (RATELIMIT_STORAGE_URI=redis://...).
        "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": f"lms-test-{uuid.uuid4().hex}"},
        **app_config,
    }
    with shared_engines():  # one engine per database and settings for the run: statements compiled once
        app = create_app(config)
    app.jinja_env.bytecode_cache = _TEMPLATE_CODE  # keyed by template name and source checksum
    app.test_client_class = IsolatedClient
    with app.app_context():
        _empty_tables()
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()  # the engine is kept, its connections are not
        assert_no_leaked_listeners(db.engine)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def course(app):
    return app.extensions["lms.catalog"].default


@pytest.fixture
def make_user(app):
    """Create a user (enrolled by default) and return it."""
    counter = iter(range(1, 1_000_000))

    def make(name: str = "Learner", email: str | None = None, password: str = "correct horse battery", enrolled=True):
        email = email or f"learner{next(counter)}@example.org"
        user = register_user(name, email, password)
        if enrolled:
            enroll(user.id, app.extensions["lms.catalog"].default, None, None)
        db.session.commit()
        return user

    return make


@pytest.fixture
def learner(make_user) -> User:
    return make_user("Ada Learner", "ada@example.org")


@pytest.fixture
def learner_client(app, learner):
    """A test client signed in as the enrolled learner."""
    return app.test_client(user=learner)


@pytest.fixture
def enrollment_of(app, course):
    def find(user: User) -> Enrollment:
        return db.session.execute(
            db.select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id == course.id)
        ).scalar_one()

    return find


@pytest.fixture
def quiz(app, course):
    """Start, answer and submit quizzes through the real routes."""

    class Quiz:
        def start(self, client, lesson_id: str) -> Attempt:
            response = client.post(f"/courses/{course.id}/quizzes/{lesson_id}/attempts")
            assert response.status_code == 303, response.get_data(as_text=True)[:500]
            attempt_id = int(response.location.rsplit("/", 1)[-1])
            db.session.expire_all()
            return db.session.get(Attempt, attempt_id)

        def answers(self, attempt: Attempt) -> QuizAnswers:
            return QuizAnswers(course, attempt)

        def take(self, client, lesson_id: str, correct: int | None = None):
            """Start an attempt and submit it with `correct` questions right (all when None)."""
            attempt = self.start(client, lesson_id)
            data = self.answers(attempt).form(correct=correct)
            response = client.post(f"/courses/{course.id}/attempts/{attempt.id}", data=data)
            assert response.status_code == 303, response.get_data(as_text=True)[:2000]
            db.session.expire_all()
            return db.session.get(Attempt, attempt.id)

    return Quiz()


@pytest.fixture
def make_staff(app, make_user, course):
    """Create an account with a staff role in the default course (or a site administrator, not enrolled)."""

    def make(name: str, email: str, role: str = "instructor", admin: bool = False) -> User:
        user = make_user(name, email, enrolled=False)
        if admin:
            user.is_admin = True
        else:
            set_role(user.id, course, role)
        db.session.commit()
        return user

    return make


@pytest.fixture
def instructor(make_staff) -> User:
    return make_staff("Irene Instructor", "irene@example.org")


@pytest.fixture
def assistant(make_staff) -> User:
    return make_staff("Tess Assistant", "tess@example.org", role="assistant")


@pytest.fixture
def admin(make_staff) -> User:
    return make_staff("Ada Admin", "admin@example.org", admin=True)


@pytest.fixture
def instructor_client(app, instructor):
    return app.test_client(user=instructor)


@pytest.fixture
def make_attempt(app):
    """Insert a submitted attempt with given (question id, response, credit) answers, in that order."""

    def make(enrollment: Enrollment, lesson_id: str, answers, number: int = 1, minutes: int = 5) -> Attempt:
        points = sum(credit for _, _, credit in answers)
        started = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
        attempt = Attempt(
            enrollment_id=enrollment.id,
            course_id=enrollment.course_id,
            lesson_id=lesson_id,
            number=number,
            question_count=len(answers),
            started_at=started,
            submitted_at=started + timedelta(minutes=minutes),
            points=points,
            score=round(100 * points / len(answers), 2),
            passed=100 * points / len(answers) >= 60,
            layout=[{"q": question_id} for question_id, _, _ in answers],
        )
        db.session.add(attempt)
        db.session.flush()
        for position, (question_id, response, credit) in enumerate(answers):
            db.session.add(
                AttemptAnswer(
                    attempt_id=attempt.id,
                    position=position,
                    question_id=question_id,
                    response=response,
                    credit=credit,
                    correct=credit == 1,
                )
            )
        db.session.commit()
        return attempt

    return make
