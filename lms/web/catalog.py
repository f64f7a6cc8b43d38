"""The site's front page: the catalog of courses."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

from .course_scope import catalog

bp = Blueprint("catalog", __name__)


@bp.route("/")
def index():
    """List the courses; with only one, go straight to it."""
    courses = catalog()
    if len(courses) == 1:
        return redirect(url_for("course.outline", course_id=courses.default.id))
    return render_template("catalog/index.html", courses=courses.values())
