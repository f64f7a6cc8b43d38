"""`flask lms backup`: a consistent copy of the database while the app runs (README, Operations)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, make_url


class BackupError(RuntimeError):
    """Raised when a backup cannot be made; the message says why and what to do."""


def default_output(url: URL, folder: Path) -> Path:
    """Return instance/backups/lms-<UTC time>.<sqlite3|dump> for this database."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    suffix = "sqlite3" if url.get_backend_name() == "sqlite" else "dump"
    return folder / "backups" / f"lms-{stamp}.{suffix}"


def backup_database(url: URL, output: Path) -> None:
    """Write a consistent backup of the database at url to output (0600); raise BackupError on failure."""
    if output.exists():
        raise BackupError(f"{output} exists already; choose another --output")
    output.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    backend = url.get_backend_name()
    if backend == "sqlite":
        _backup_sqlite(url, output)
    elif backend == "postgresql":
        _backup_postgresql(url, output)
    else:
        raise BackupError(f"no backup method for {backend} databases")


def _backup_sqlite(url: URL, output: Path) -> None:
    if not url.database or url.database == ":memory:" or not Path(url.database).exists():
        raise BackupError(f"there is no SQLite database file at {url.database!r}")
    # The online backup API copies committed pages, including those still in the WAL, under one
    # read transaction: copying the file would miss the WAL or catch a write half-way.
    os.close(os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    source = sqlite3.connect(url.database)
    target = sqlite3.connect(output)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    except sqlite3.Error as error:
        output.unlink(missing_ok=True)
        raise BackupError(f"SQLite backup failed: {error}") from error
    finally:
        target.close()
        source.close()


def _backup_postgresql(url: URL, output: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError(
            "pg_dump is not installed; install the PostgreSQL client of the server's version "
            "(Debian: apt-get install postgresql-client) and try again"
        )
    environment = dict(os.environ)
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)  # not on the command line, where ps shows it
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    # Custom format: compressed, and pg_restore can restore it whole or in part; one snapshot.
    command = [pg_dump, "--format=custom", "--no-owner", f"--file={output}", f"--dbname={dsn}"]
    descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(descriptor)
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        output.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")


@click.command("backup")
@with_appcontext
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: instance/backups/lms-<UTC time>.sqlite3 or .dump).",
)
def backup_command(output: Path | None) -> None:
    """Back up the database while the app runs (SQLite online backup, or pg_dump for PostgreSQL)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    output = output or default_output(url, Path(current_app.instance_path))
    try:
        backup_database(url, output)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written to {output} ({output.stat().st_size:,} bytes).")
    click.echo("Keep the secret key (SECRET_KEY or instance/secret_key) with it: see README, Operations.")
