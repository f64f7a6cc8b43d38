"""Office Manager Academy: a course engine that runs a course pack written as files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from . import cli, web
from .config import PROJECT_ROOT, instance_path, load_settings
from .domain.loading import load_course_pack
from .extensions import csrf, db, login_manager, migrate


def create_app(config: dict | None = None) -> Flask:
    """Create the app: configuration, extensions, course pack, blueprints, CLI and error pages."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(instance_path()),
    )
    app.config.from_mapping(load_settings(Path(app.instance_path), config))

    db.init_app(app)
    # Batch mode: SQLite can only alter tables by copying them.
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)

    # A broken pack stops start-up here with every problem listed (CoursePackError).
    app.extensions["lms.course"] = load_course_pack(app.config["COURSE_PACK_PATH"])

    web.init_app(app)
    cli.init_app(app)
    return app


def _is_sqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record) -> None:
    # SQLite leaves foreign keys off and blocks readers during writes unless told otherwise.
    if not _is_sqlite(dbapi_connection):
        return
    # Transactions as pysqlite runs them ("legacy" control): reads run outside any transaction
    # and the first INSERT/UPDATE/DELETE opens one, here with BEGIN IMMEDIATE, which waits up to
    # busy_timeout for the write lock. So no transaction holds a read snapshot before it writes:
    # SQLite cannot upgrade a stale snapshot and fails at once with "database is locked" (what
    # SQLAlchemy's recipe of a BEGIN before the first read leads to under concurrent writers).
    # Readers never wait (WAL). Reads before the first write are not isolated, so a service that
    # reads then writes takes the write lock first (services.progress.lock_enrollment).
    if hasattr(dbapi_connection, "autocommit"):  # Python 3.12+: keep this mode if the default changes
        dbapi_connection.autocommit = sqlite3.LEGACY_TRANSACTION_CONTROL
    dbapi_connection.isolation_level = "IMMEDIATE"
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


@event.listens_for(Engine, "savepoint")
def _begin_before_sqlite_savepoint(connection, name) -> None:
    # pysqlite opens no transaction before a SAVEPOINT, and SQLite then treats the savepoint as
    # the transaction: its RELEASE would commit, before the request does. Open the real one first.
    dbapi_connection = connection.connection.dbapi_connection
    if _is_sqlite(dbapi_connection) and not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN IMMEDIATE")
