"""`flask lms backup`: taken while rows are being written, it restores every row committed before it."""

import shutil
import threading
import time
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from lms import create_app
from lms.extensions import db
from lms.services.accounts import register_user

from .conftest import MINI_PACK, PROJECT_ROOT
from .postgres_cluster import private_postgres  # noqa: F401 (a fixture)


def make_app(url: str):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "test-secret-key",
            "COURSE_PACK_PATH": str(MINI_PACK),
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
        }
    )


def migrate_with_learners(app, count: int = 5) -> None:
    with app.app_context():
        upgrade(directory=str(PROJECT_ROOT / "migrations"))
        for number in range(count):
            register_user(f"Learner {number}", f"learner{number}@example.org", "a long password")
        db.session.commit()
        db.session.execute(text("CREATE TABLE backup_probe (n INTEGER PRIMARY KEY)"))
        db.session.commit()
        db.engine.dispose()


def add_filler(url: str, megabytes: int = 8) -> None:
    """Give the backup pages to copy: one of a few hundred kilobytes can end between two of the writer's commits."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE backup_filler (b BLOB)"))
        connection.execute(text("INSERT INTO backup_filler (b) VALUES (:b)"), [{"b": bytes(65536)}] * (16 * megabytes))
    engine.dispose()


def backup_during_writes(url: str, runner, output: Path) -> tuple[int, int]:
    """Insert numbered rows, one commit each, while the backup runs; return the rows committed before and after."""
    engine = create_engine(url, connect_args={"timeout": 30} if url.startswith("sqlite") else {})
    committed: list[int] = []
    stop = threading.Event()

    def write() -> None:
        with engine.connect() as connection:
            number = 0
            while not stop.is_set():
                number += 1
                with connection.begin():
                    connection.execute(text("INSERT INTO backup_probe (n) VALUES (:n)"), {"n": number})
                committed.append(number)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        deadline = time.monotonic() + 30
        while len(committed) < 50 and time.monotonic() < deadline:
            time.sleep(0.01)
        before = len(committed)
        result = runner.invoke(args=["lms", "backup", "--output", str(output)])
        after = len(committed)
    finally:
        stop.set()
        writer.join(timeout=30)
        engine.dispose()
    assert result.exit_code == 0, result.output
    assert f"Backup written to {output}" in result.output
    assert after > before >= 50, "the writer must be writing while the backup runs"
    return before, after


def assert_restored(url: str, before: int, after: int) -> None:
    engine = create_engine(url)
    with engine.connect() as connection:
        probe = connection.execute(text("SELECT n FROM backup_probe ORDER BY n")).scalars().all()
        learners = connection.execute(text("SELECT count(*) FROM users")).scalar_one()
    engine.dispose()
    # One snapshot: every row committed before the backup began, and no gap after it.
    assert before <= len(probe) <= after and probe == list(range(1, len(probe) + 1))
    assert learners == 5


def test_sqlite_backup_during_writes_restores_every_row(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'live.sqlite3'}")
    migrate_with_learners(app)
    add_filler(app.config["SQLALCHEMY_DATABASE_URI"])  # it failed "the writer must be writing" on a loaded machine
    output = tmp_path / "backup.sqlite3"
    before, after = backup_during_writes(app.config["SQLALCHEMY_DATABASE_URI"], app.test_cli_runner(), output)
    assert output.stat().st_mode & 0o777 == 0o600
    assert not Path(f"{output}-wal").exists()  # one self-contained file
    # Restore as the README says: with the app stopped, copy the backup over the database file.
    restored = tmp_path / "restored.sqlite3"
    shutil.copy(output, restored)
    assert_restored(f"sqlite:///{restored}", before, after)


def test_postgresql_backup_during_writes_restores_every_row(private_postgres, tmp_path):  # noqa: F811
    app = make_app(private_postgres.url())
    migrate_with_learners(app)
    output = tmp_path / "backup.dump"
    before, after = backup_during_writes(private_postgres.url(), app.test_cli_runner(), output)
    assert output.stat().st_mode & 0o777 == 0o600
    # Restore as the README says: pg_restore into an empty database.
    private_postgres.client("createdb", "restored")
    private_postgres.client("pg_restore", "--no-owner", "--dbname=restored", str(output))
    assert_restored(private_postgres.url("restored"), before, after)


def test_backup_refuses_to_overwrite_and_says_when_pg_dump_is_missing(tmp_path, monkeypatch):
    app = make_app(f"sqlite:///{tmp_path / 'live.sqlite3'}")
    migrate_with_learners(app, count=1)
    existing = tmp_path / "taken.sqlite3"
    existing.write_text("an older backup")
    result = app.test_cli_runner().invoke(args=["lms", "backup", "--output", str(existing)])
    assert result.exit_code == 1 and "exists already" in result.output
    assert existing.read_text() == "an older backup"

    postgres = make_app("postgresql+psycopg://postgres@127.0.0.1:1/lms")
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump on it
    result = postgres.test_cli_runner().invoke(args=["lms", "backup", "--output", str(tmp_path / "x.dump")])
    assert result.exit_code == 1 and "pg_dump is not installed" in result.output
    assert not (tmp_path / "x.dump").exists()


@pytest.mark.parametrize("suffix", ["sqlite3"])
def test_the_default_backup_goes_into_the_instance_folder(tmp_path, monkeypatch, suffix):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(f"sqlite:///{tmp_path / 'live.sqlite3'}")
    migrate_with_learners(app, count=1)
    result = app.test_cli_runner().invoke(args=["lms", "backup"])
    assert result.exit_code == 0, result.output
    (backup,) = (tmp_path / "instance" / "backups").iterdir()
    assert backup.name.startswith("lms-") and backup.suffix == f".{suffix}"
