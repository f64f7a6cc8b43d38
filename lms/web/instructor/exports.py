"""CSV downloads of the roster and of every attempt, streamed, in the staff member's cohorts."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from flask import Response, request, stream_with_context

from ...domain.course import Course
from ...models import STAFF_ROLES
from ...services.exports import ATTEMPTS_HEADER, attempts_export_rows
from ...services.roster import enrollment_status, roster_export_rows
from ..access import course_role_required, current_course, visible_cohorts
from .blueprint import bp
from .forms import roster_filters, roster_form
from .views import visible_cohort_list

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(value) -> str | int:
    """Format a CSV cell; text that a spreadsheet would run as a formula is quoted with '."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_STARTS) else value
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _csv_stream(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_safe_cell(value) for value in row])
        if count % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _csv_response(course: Course, kind: str, stream: Iterator[str]) -> Response:
    name = f"{course.id}-{kind}-{datetime.now(UTC):%Y-%m-%d}.csv"
    response = Response(stream_with_context(stream), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def roster_csv_header(course: Course) -> list[str]:
    """Column names of the roster export."""
    return (
        ["name", "email", "enrolled_at", "last_activity_at", "status", "lessons_completed", "lessons_total"]
        + [f"score_{lesson_id}" for lesson_id in course.lesson_ids]
        + ["readiness", "band", "attempts_used", "left_lms_course"]
    )


@bp.route("/export/roster.csv")
@course_role_required(*STAFF_ROLES)
def export_roster():
    """Download the roster (with the page's cohort, members, filters and sort) as CSV, streamed from one query."""
    course = current_course()
    form = roster_form(course, visible_cohort_list(course.id))
    filters = roster_filters(form, visible_cohorts(form.cohort.data))
    total = len(course.lessons)

    def rows():
        for name, email, enrolled, activity, started, completed, done, *rest, active in roster_export_rows(
            course, filters
        ):
            yield [
                name,
                email,
                enrolled,
                activity,
                enrollment_status(started, completed),
                done,
                total,
                *rest,
                not active,
            ]

    return _csv_response(course, "roster", _csv_stream(roster_csv_header(course), rows()))


@bp.route("/export/attempts.csv")
@course_role_required(*STAFF_ROLES)
def export_attempts():
    """Download every submitted attempt of the course's learners (in the chosen cohort) as CSV, in order."""
    course = current_course()
    cohort_ids = visible_cohorts(request.args.get("cohort", ""))
    return _csv_response(course, "attempts", _csv_stream(ATTEMPTS_HEADER, attempts_export_rows(course, cohort_ids)))
