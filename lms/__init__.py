"""Office Manager Academy: a course engine that runs a course pack written as files."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from . import cli, web
from .config import PROJECT_ROOT, settings_from_environment
from .domain.loading import load_course_pack
from .extensions import csrf, db, login_manager, migrate


def create_app(config: dict | None = None) -> Flask:
    """Create the app: configuration, extensions, course pack, blueprints, CLI and error pages."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.from_mapping(settings_from_environment(Path(app.instance_path)))
    if config:
        app.config.from_mapping(config)

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


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record) -> None:
    # SQLite leaves foreign keys off and blocks readers during writes unless told otherwise.
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()
