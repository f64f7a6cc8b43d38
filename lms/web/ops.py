"""Health checks for a load balancer: /healthz (the process answers) and /readyz (it can serve)."""

from __future__ import annotations

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db, limiter

bp = Blueprint("ops", __name__)


def _expected_heads() -> set[str]:
    """Return the migration heads this code expects, read once from the migrations folder."""
    heads = current_app.extensions.get("lms.migration_heads")
    if heads is None:
        directory = current_app.extensions["migrate"].directory
        heads = current_app.extensions["lms.migration_heads"] = set(ScriptDirectory(directory).get_heads())
    return heads


def _database_checks() -> dict[str, bool]:
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as error:
        current_app.logger.warning("readiness: database unreachable: %s", error)
        return {"database": False, "migrations": False}
    return {"database": True, "migrations": current == _expected_heads()}


def _answer(status: str, checks: dict[str, bool], code: int):
    response = jsonify(status=status, checks=checks)
    response.status_code = code
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """Say the process is up; touches no database, so a database outage does not restart workers."""
    return _answer("ok", {}, 200)


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """Say whether this process can serve: database reachable, migrations at head, course pack loaded; 503 if not."""
    checks = {**_database_checks(), "course_pack": bool(current_app.extensions.get("lms.catalog"))}
    if all(checks.values()):
        return _answer("ready", checks, 200)
    response = _answer("unavailable", checks, 503)
    response.headers["Retry-After"] = "5"
    return response
