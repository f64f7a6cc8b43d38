"""The course in every course URL: `/courses/<course_id>/...` is read into `g.course`, and
url_for() puts it back, so views and templates name no course (Flask's URL processors)."""

from __future__ import annotations

from flask import Flask, abort, current_app, g

from ..domain.catalog import Catalog
from ..domain.course import Course
from .request_globals import app_globals

COURSE_PREFIX = "/courses/<course_id>"


def catalog() -> Catalog:
    """Return the app's catalog of courses."""
    return current_app.extensions["lms.catalog"]


def current_course() -> Course | None:
    """Return the course of this request's URL, or None on site-wide pages (account, catalog)."""
    return app_globals().get("course")  # asked ten times a page and more: no proxy lookup


def course_in_path(path: str) -> str | None:
    """The course id a request path names (`/courses/<course_id>/...`), before the URL is matched."""
    if not path.startswith("/courses/"):
        return None
    course_id = path[len("/courses/") :].partition("/")[0]
    return course_id if course_id in catalog() else None


def _pull_course(endpoint: str | None, values: dict | None) -> None:
    if values and "course_id" in values:
        course = catalog().get(values.pop("course_id"))
        if course is None:
            abort(404, description="There is no course with that address.")
        g.course = course


def _course_endpoints() -> frozenset[str]:
    """The endpoints whose URL holds the course (computed once per app: url_for runs often per page)."""
    endpoints = current_app.extensions.get("lms.course_endpoints")
    if endpoints is None:
        rules = current_app.url_map.iter_rules()
        endpoints = frozenset(rule.endpoint for rule in rules if "course_id" in rule.arguments)
        current_app.extensions["lms.course_endpoints"] = endpoints
    return endpoints


def _push_course(endpoint: str, values: dict) -> None:
    # Every blueprint's url_for needs it (a quiz page links to the outline): so app-wide, not per blueprint.
    if "course_id" not in values and "course" in g and endpoint in _course_endpoints():
        values["course_id"] = g.course.id


def init_app(app: Flask) -> None:
    """Read the course from course URLs and add it to url_for() calls."""
    app.url_value_preprocessor(_pull_course)
    app.url_defaults(_push_course)
