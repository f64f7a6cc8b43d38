"""The course pages' addresses from before the catalog: they lead to the same page of the default course."""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for

from .course_scope import catalog

LEGACY_SECTIONS = ("lessons", "quizzes", "attempts", "instructor")

bp = Blueprint("legacy", __name__)


@bp.route("/dashboard", methods=["GET", "POST"])
@bp.route("/enroll", methods=["GET", "POST"])
@bp.route("/instructor/", methods=["GET", "POST"])
@bp.route(f"/<any({', '.join(LEGACY_SECTIONS)}):section>/<path:rest>", methods=["GET", "POST"])
def to_default_course(section: str | None = None, rest: str | None = None):
    """Send an address from before the catalog to the same page of the default course, query kept."""
    target = url_for("course.outline", course_id=catalog().default.id).rstrip("/") + request.path
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    # 301 for bookmarks; 308 keeps a form's POST a POST (browsers turn a 301 into a GET).
    return redirect(target, code=301 if request.method in ("GET", "HEAD") else 308)
