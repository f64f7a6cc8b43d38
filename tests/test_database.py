"""The engine set-up: timeouts from the settings, SQLite listeners on the app's engine only, private files;
timestamps read back aware and in UTC."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import column, create_engine, insert, select, table, text

from lms import create_app
from lms.database import engine_options
from lms.extensions import db
from lms.models.base import UTCDateTime, utc_from_text

from .conftest import BACKEND, MINI_PACK

POSTGRES_URL = "postgresql+psycopg://lms@db/lms"
TIMEOUTS = {"DATABASE_CONNECT_TIMEOUT": 5, "DATABASE_STATEMENT_TIMEOUT": 30, "DATABASE_LOCK_TIMEOUT": 2.5}


def test_postgresql_gets_connect_statement_and_lock_timeouts():
    options = engine_options({"SQLALCHEMY_DATABASE_URI": POSTGRES_URL, **TIMEOUTS})
    assert options["connect_args"] == {
        "connect_timeout": 5,
        "options": "-c statement_timeout=30000 -c lock_timeout=2500",
    }


def test_timeouts_keep_given_engine_options_and_zero_turns_one_off():
    given = {"pool_pre_ping": True, "connect_args": {"options": "-c search_path=lms", "connect_timeout": 9}}
    config = {"SQLALCHEMY_DATABASE_URI": POSTGRES_URL, "SQLALCHEMY_ENGINE_OPTIONS": given, **TIMEOUTS}
    config["DATABASE_STATEMENT_TIMEOUT"] = 0
    options = engine_options(config)
    assert options["pool_pre_ping"] is True
    assert options["connect_args"] == {
        "connect_timeout": 9,
        "options": "-c search_path=lms -c statement_timeout=0 -c lock_timeout=2500",
    }
    assert given["connect_args"]["options"] == "-c search_path=lms"  # the setting itself is not changed


def test_sqlite_needs_no_connect_arguments_and_no_ping():
    assert engine_options({"SQLALCHEMY_DATABASE_URI": "sqlite:///x.db", **TIMEOUTS}) == {}
    given = {"pool_pre_ping": True, "pool_size": 3}
    config = {"SQLALCHEMY_DATABASE_URI": "sqlite:///x.db", "SQLALCHEMY_ENGINE_OPTIONS": given, **TIMEOUTS}
    assert engine_options(config) == {"pool_size": 3}


def test_the_app_database_runs_with_the_configured_timeouts(app):
    if BACKEND == "postgres":
        assert db.session.execute(text("SHOW statement_timeout")).scalar_one() == "30s"
        assert db.session.execute(text("SHOW lock_timeout")).scalar_one() == "5s"
    else:
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar_one() == 5000
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert db.session.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"


def test_sqlite_set_up_applies_to_the_app_engine_only(tmp_path):
    app = create_app(
        {
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.sqlite3'}",
            "COURSE_PACK_PATH": str(MINI_PACK),
            "DATABASE_LOCK_TIMEOUT": 1.5,
        }
    )
    with app.app_context():
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar_one() == 1500
        db.engine.dispose()
    other = create_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    with other.connect() as connection:
        # An engine the app did not make (Alembic's, a script's) keeps SQLite's own defaults.
        assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 0
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "delete"
    other.dispose()


def test_the_sqlite_file_and_its_wal_are_private(tmp_path):
    path = tmp_path / "lms.sqlite3"
    app = create_app(
        {"SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "COURSE_PACK_PATH": str(MINI_PACK)}
    )
    with app.app_context():
        db.session.execute(text("CREATE TABLE notes (body TEXT)"))
        db.session.execute(text("INSERT INTO notes VALUES ('private')"))
        db.session.commit()
        modes = {file.name: file.stat().st_mode & 0o777 for file in tmp_path.iterdir()}
        db.engine.dispose()
    assert modes["lms.sqlite3"] == 0o600 and modes["lms.sqlite3-wal"] == 0o600


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_database_creates_no_file(tmp_path, monkeypatch, url):
    monkeypatch.chdir(tmp_path)
    app = create_app({"SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url, "COURSE_PACK_PATH": str(MINI_PACK)})
    with app.app_context():
        assert db.session.execute(text("SELECT 1")).scalar_one() == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-11-30 10:00:00.123456", datetime(2026, 11, 30, 10, 0, 0, 123456, tzinfo=UTC)),  # SQLite's
        ("2026-11-30 10:00:00", datetime(2026, 11, 30, 10, tzinfo=UTC)),  # CURRENT_TIMESTAMP's
        ("2026-11-30T10:00:00.5+00:00", datetime(2026, 11, 30, 10, 0, 0, 500000, tzinfo=UTC)),  # PostgreSQL's JSON
        ("2026-11-30T12:00:00+02:00", datetime(2026, 11, 30, 10, tzinfo=UTC)),
        ("2026-11-30T05:30:00-04:30", datetime(2026, 11, 30, 10, tzinfo=UTC)),
        ("2026-11-30T10:00:00Z", datetime(2026, 11, 30, 10, tzinfo=UTC)),
        (None, None),
    ],
)
def test_timestamps_read_from_text_are_aware_utc(text, expected):
    read = utc_from_text(text)
    assert read == expected
    assert read is None or read.tzinfo is UTC


def test_timestamps_come_back_aware_utc_from_the_database(app):
    written = datetime(2026, 11, 30, 10, 0, 0, 123456, tzinfo=UTC)
    later = written.astimezone(timezone(timedelta(hours=-5)))  # another zone, the same instant
    with db.engine.begin() as connection:
        connection.execute(text("CREATE TEMPORARY TABLE stamps (at TIMESTAMP WITH TIME ZONE)"))
        stamps = table("stamps", column("at", UTCDateTime()))
        connection.execute(insert(stamps), [{"at": written}, {"at": later}, {"at": None}])
        read = connection.execute(select(stamps.c.at)).scalars().all()
    assert read[:2] == [written, written] and read[2] is None
    assert all(value.utcoffset() == timedelta(0) for value in read[:2])
