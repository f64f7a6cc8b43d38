"""The instructor's workspace: roster, learner review, quiz analysis and CSV exports."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from sqlalchemy import func, select
from wtforms import Form, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length as LengthValidator
from wtforms.validators import NumberRange, Optional

from ..domain import statistics
from ..domain.course import Course
from ..extensions import db
from ..models import Attempt, AttemptAnswer, Enrollment, User
from ..services.analysis import BASES, cached_quiz_analysis
from ..services.progress import course_progress, is_lesson_complete
from ..services.roster import (
    PAGE_SIZES,
    STATUSES,
    RosterFilters,
    enrollment_status,
    roster_export_rows,
    roster_page,
    roster_summary,
    sort_keys,
)
from .access import current_course, instructor_required, lesson_or_404
from .course_scope import COURSE_PREFIX
from .presenters import review_items

bp = Blueprint("instructor", __name__, url_prefix=COURSE_PREFIX + "/instructor")


class RosterForm(Form):
    """The roster's search, filters, sort and page, read from the query string."""

    q = StringField("Search name or email", validators=[Optional(), LengthValidator(max=100)])
    band = SelectField("Band", default="", validators=[Optional()])
    status = SelectField("Status", default="", validators=[Optional()])
    sort = SelectField("Sort by", default="", validators=[Optional()])
    dir = SelectField(
        "Order",
        default="",
        choices=[SelectChoice("desc", "Descending"), SelectChoice("asc", "Ascending")],
        validators=[Optional()],
    )
    page = IntegerField("Page", validators=[Optional(), NumberRange(min=1, max=1_000_000)])
    per_page = SelectField(
        "Per page", default="", choices=[SelectChoice(str(n)) for n in PAGE_SIZES], validators=[Optional()]
    )


def _roster_form(course: Course) -> RosterForm:
    """Read and check the roster's query string; abort with 400 on a value no form offers."""
    form = RosterForm(request.args)
    form.band.choices = [SelectChoice("", "Any band")] + [SelectChoice(band.name) for band in course.readiness.bands]
    form.status.choices = [SelectChoice("", "Any status")] + [SelectChoice(k, v) for k, v in STATUSES.items()]
    form.sort.choices = [SelectChoice(key) for key in sort_keys(course)]
    if not form.validate():
        abort(400, description="The roster's search, filter or sort settings are not valid.")
    return form


def _filters(form: RosterForm) -> RosterFilters:
    return RosterFilters(
        search=form.q.data or "",
        band=(form.band.data or "").strip() or None,
        status=(form.status.data or "").strip() or None,
        sort=(form.sort.data or "").strip() or "readiness",
        descending=(form.dir.data or "").strip() != "asc",
    )


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float


def histogram_bars(counts: list[int], width: float = 560, height: float = 160) -> list[Bar]:
    """Lay out a 10-bucket histogram as SVG bars (attributes, not inline styles: CSP forbids those)."""
    tallest = max(counts) or 1
    slot = width / len(counts)
    bars = []
    for index, count in enumerate(counts):
        bar_height = height * count / tallest
        label = f"{index * 10}–{index * 10 + 9}" if index < len(counts) - 1 else f"{index * 10}–100"
        bars.append(Bar(label, count, index * slot + 4, height - bar_height, slot - 8, bar_height))
    return bars


@bp.route("/")
@instructor_required
def roster():
    """Show every enrolled learner with completion, section scores and readiness."""
    course = current_course()
    form = _roster_form(course)
    filters = _filters(form)
    per_page = int(form.per_page.data) if (form.per_page.data or "").strip() else 50
    page = roster_page(course, filters, form.page.data or 1, per_page)
    summary = roster_summary(course)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "instructor/roster.html",
        course=course,
        form=form,
        filters=filters,
        page=page,
        summary=summary,
        bars=histogram_bars(summary.histogram),
        args=args,
        statuses=STATUSES,
    )


@bp.route("/learners/<int:enrollment_id>")
@instructor_required
def learner(enrollment_id: int):
    """Show one learner's progress, every attempt with each answer against the key, and readiness."""
    course = current_course()
    found = db.session.execute(
        select(Enrollment, User)
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.id == enrollment_id, Enrollment.course_id == course.id)
    ).one_or_none()
    if found is None:
        abort(404, description="There is no such learner in this course.")
    enrollment, user = found
    progress = course_progress(enrollment, course)
    attempts = db.session.execute(
        select(Attempt).where(Attempt.enrollment_id == enrollment.id).order_by(Attempt.lesson_id, Attempt.number)
    ).scalars()
    answers: dict[int, list[AttemptAnswer]] = defaultdict(list)
    for answer in db.session.execute(
        select(AttemptAnswer)
        .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
        .where(Attempt.enrollment_id == enrollment.id)
        .order_by(AttemptAnswer.attempt_id, AttemptAnswer.position)
    ).scalars():
        answers[answer.attempt_id].append(answer)
    by_lesson: dict[str, list] = defaultdict(list)
    for attempt in attempts:
        items = review_items(answers.get(attempt.id, []), course.question, with_key=True)
        by_lesson[attempt.lesson_id].append((attempt, items))
    return render_template(
        "instructor/learner.html",
        course=course,
        enrollment=enrollment,
        learner=user,
        progress=progress,
        readiness=progress.readiness,
        attempts=by_lesson,
        is_complete=is_lesson_complete,
    )


@bp.route("/quizzes")
@instructor_required
def quizzes():
    """List the section quizzes with how many attempts each has had."""
    course = current_course()
    counts = dict(
        db.session.execute(
            select(Attempt.lesson_id, func.count())
            .join(Enrollment, Enrollment.id == Attempt.enrollment_id)
            .where(Enrollment.course_id == course.id, Attempt.submitted_at.is_not(None))
            .group_by(Attempt.lesson_id)
        ).all()
    )
    return render_template("instructor/quizzes.html", course=course, counts=counts)


@bp.route("/quizzes/<lesson_id>")
@instructor_required
def quiz(lesson_id: str):
    """Show the statistics of one section quiz and flag the questions that need attention."""
    course = current_course()
    lesson = lesson_or_404(lesson_id)
    basis = request.args.get("basis", "first")
    if basis not in BASES:
        abort(400, description="Choose first attempts or all attempts.")
    analysis = cached_quiz_analysis(course, lesson, basis)
    return render_template(
        "instructor/quiz.html",
        course=course,
        lesson=lesson,
        analysis=analysis,
        bases=BASES,
        bars=histogram_bars(analysis.score_histogram),
        thresholds=statistics,
    )


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
        + ["readiness", "band", "attempts_used"]
    )


@bp.route("/export/roster.csv")
@instructor_required
def export_roster():
    """Download the roster (with the page's filters and sort) as CSV, streamed from one query."""
    course = current_course()
    filters = _filters(_roster_form(course))
    total = len(course.lessons)
    sections = len(course.lesson_ids)

    def rows():
        for name, email, enrolled, activity, started, completed, done, *rest in roster_export_rows(course, filters):
            status = enrollment_status(started, completed)
            yield [name, email, enrolled, activity, status, done, total, *rest[:sections], *rest[sections:]]

    return _csv_response(course, "roster", _csv_stream(roster_csv_header(course), rows()))


ATTEMPTS_HEADER = [
    "attempt_id", "name", "email", "lesson", "attempt", "started_at", "submitted_at",
    "duration_seconds", "questions", "points", "score", "passed",
]  # fmt: skip


@bp.route("/export/attempts.csv")
@instructor_required
def export_attempts():
    """Download every submitted attempt as CSV, streamed in order of submission."""
    course = current_course()
    query = (
        select(
            Attempt.id,
            User.name,
            User.email,
            Attempt.lesson_id,
            Attempt.number,
            Attempt.started_at,
            Attempt.submitted_at,
            Attempt.question_count,
            Attempt.points,
            Attempt.score,
            Attempt.passed,
        )
        .join(Enrollment, Enrollment.id == Attempt.enrollment_id)
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.course_id == course.id, Attempt.submitted_at.is_not(None))
        .order_by(Attempt.id)
        .execution_options(yield_per=2000)
    )

    def rows():
        # Columns as ATTEMPTS_HEADER, with the duration computed between submitted_at and question_count.
        for row in db.session.execute(query):
            started, submitted = row[5], row[6]
            yield [*row[:7], round((submitted - started).total_seconds()), *row[7:]]

    return _csv_response(course, "attempts", _csv_stream(ATTEMPTS_HEADER, rows()))
