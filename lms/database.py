"""The app's database engine: timeouts from the settings, and SQLite made to behave like a server."""

from __future__ import annotations

import contextlib
import os
import sqlite3

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from .extensions import db


def engine_options(config) -> dict:
    """Return SQLALCHEMY_ENGINE_OPTIONS with the connect, statement and lock timeouts of the settings added."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    url = make_url(config["SQLALCHEMY_DATABASE_URI"])
    connect_args = dict(options.get("connect_args") or {})
    if url.get_backend_name() == "postgresql":
        if config["DATABASE_CONNECT_TIMEOUT"]:
            # libpq counts whole seconds, and 1 is its smallest meaningful value.
            connect_args.setdefault("connect_timeout", max(1, round(config["DATABASE_CONNECT_TIMEOUT"])))
        # Sent in the start-up packet: no extra round trip per connection; 0 turns one off.
        server_settings = (
            f"-c statement_timeout={_milliseconds(config['DATABASE_STATEMENT_TIMEOUT'])} "
            f"-c lock_timeout={_milliseconds(config['DATABASE_LOCK_TIMEOUT'])}"
        )
        connect_args["options"] = " ".join(filter(None, [connect_args.get("options"), server_settings]))
    elif url.get_backend_name() == "sqlite":
        # A SQLite connection is an open file: nothing can drop it, so a ping would only cost a statement per request.
        options.pop("pool_pre_ping", None)
    if connect_args:
        options["connect_args"] = connect_args
    return options


def _milliseconds(seconds: float) -> int:
    return round(seconds * 1000)


def init_app(app: Flask) -> None:
    """Bind Flask-SQLAlchemy to the app with the timeouts, and set up SQLite on this app's engine only."""
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    db.init_app(app)
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    busy_timeout = _milliseconds(app.config["DATABASE_LOCK_TIMEOUT"])
    path = engine.url.database
    if path and path != ":memory:" and not path.startswith("file:"):
        event.listen(engine, "do_connect", lambda *_: _create_private_file(path))
    event.listen(engine, "connect", lambda dbapi_connection, _: _configure_sqlite(dbapi_connection, busy_timeout))
    event.listen(engine, "savepoint", _begin_before_sqlite_savepoint)


def _create_private_file(path: str) -> None:
    # SQLite creates a missing file with the umask (often 0644) and gives its -wal and -shm files
    # the same mode: create it 0600 first, as learners' records are in it.
    if not os.path.exists(path):
        # FileExistsError: another worker made it first; anything else SQLite reports itself.
        with contextlib.suppress(OSError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _configure_sqlite(dbapi_connection, busy_timeout: int) -> None:
    # SQLite leaves foreign keys off and blocks readers during writes unless told otherwise.
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
    cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout)}")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _begin_before_sqlite_savepoint(connection, name) -> None:
    # pysqlite opens no transaction before a SAVEPOINT, and SQLite then treats the savepoint as
    # the transaction: its RELEASE would commit, before the request does. Open the real one first.
    dbapi_connection = connection.connection.dbapi_connection
    if not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN IMMEDIATE")


# SQLSTATE classes and codes that mean "the server cannot serve now", not "this query is wrong":
# connection exceptions, insufficient resources, query cancelled (statement timeout), lock not
# available (lock timeout), shutting down, cannot connect now.
_UNAVAILABLE_SQLSTATES = ("08", "53", "57014", "55P03", "57P01", "57P02", "57P03")
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file", "disk i/o error")


def is_unavailable(error: BaseException) -> bool:
    """True if a database error means the database is down, overloaded or timed out (worth a retry)."""
    if isinstance(error, PoolTimeoutError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    original = error.orig
    if isinstance(original, sqlite3.Error):
        return str(original).lower().startswith(_SQLITE_UNAVAILABLE)
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate is None:
        # psycopg raises a bare OperationalError, without SQLSTATE, when it cannot connect at all.
        return isinstance(error, OperationalError | InterfaceError)
    return sqlstate.startswith(_UNAVAILABLE_SQLSTATES)
