"""Office Manager Academy: a course engine that runs a course pack written as files."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from . import cache, cli, database, mail, web
from .config import PROJECT_ROOT, instance_path, load_settings
from .domain.catalog import load_catalog
from .extensions import csrf, db, login_manager, migrate
from .web.built_urls import CourseApp


def create_app(config: dict | None = None) -> Flask:
    """Create the app: configuration, extensions, course pack, blueprints, CLI and error pages."""
    app = CourseApp(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(instance_path()),
    )
    app.config.from_mapping(load_settings(Path(app.instance_path), config))

    database.init_app(app)
    # Batch mode: SQLite can only alter tables by copying them.
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    mail.init_app(app)
    cache.init_app(app)

    # A broken pack stops start-up here with every problem of every pack listed (CoursePackError).
    app.extensions["lms.catalog"] = load_catalog(app.config["COURSE_PACK_PATH"])

    web.init_app(app)
    cli.init_app(app)
    return app
