"""Forms of the instructor pages: the roster's query string, the cohort editor and the overrides."""

from __future__ import annotations

from flask import abort, request
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, Form, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, NumberRange, Optional
from wtforms.validators import Length as LengthValidator

from ...domain.course import Course
from ...models import Cohort
from ...services.overrides import MAX_GRANT, MAX_LIMIT, MAX_REASON
from ...services.roster import (
    DEFAULT_MEMBERSHIP,
    HISTOGRAM_BUCKETS,
    MEMBERSHIPS,
    PAGE_SIZES,
    STATUS_FILTERS,
    RosterFilters,
    sort_keys,
)


class RosterForm(Form):
    """The roster's search, filters, sort and page, read from the query string."""

    q = StringField("Search name or email", validators=[Optional(), LengthValidator(max=100)])
    cohort = SelectField("Cohort", default="", validators=[Optional()])
    band = SelectField("Band", default="", validators=[Optional()])
    status = SelectField("Status", default="", validators=[Optional()])
    members = SelectField(
        "Members",
        default="",
        choices=[SelectChoice(key, label) for key, label in MEMBERSHIPS.items()],
        validators=[Optional()],
    )
    # A histogram bar's link: readiness 10 * score up to the next bar.
    score = IntegerField("Readiness band", validators=[Optional(), NumberRange(min=0, max=HISTOGRAM_BUCKETS - 1)])
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


def roster_form(course: Course, cohorts: list[Cohort]) -> RosterForm:
    """Read and check the roster's query string; abort with 400 on a value no form offers."""
    form = RosterForm(request.args)
    form.cohort.choices = [SelectChoice("", "Every cohort")] + [SelectChoice(c.slug, c.name) for c in cohorts]
    form.band.choices = [SelectChoice("", "Any band")] + [SelectChoice(band.name) for band in course.readiness.bands]
    form.status.choices = [SelectChoice("", "Any status")] + [SelectChoice(k, v) for k, v in STATUS_FILTERS.items()]
    form.sort.choices = [SelectChoice(key) for key in sort_keys(course)]
    if not form.validate():
        abort(400, description="The roster's search, filter or sort settings are not valid.")
    return form


# The only query parameters the roster's links carry: a stray `endpoint`, `_method`, `_external`,
# `_scheme` or `_anchor` in the query string never reaches url_for().
LINK_FIELDS = ("q", "cohort", "band", "status", "members", "score", "sort", "dir", "per_page")


def roster_link_args(form: RosterForm) -> dict[str, str]:
    """The roster's settings for its own links (sort, pages, export), from the validated form only."""
    args = {}
    for name in LINK_FIELDS:
        value = form[name].data
        if value not in (None, ""):
            args[name] = str(value)
    return args


def roster_filters(form: RosterForm, cohort_ids: frozenset[int] | None) -> RosterFilters:
    """The roster filters a valid form asks for, within these cohorts."""
    return RosterFilters(
        cohort_ids=cohort_ids,
        search=form.q.data or "",
        band=(form.band.data or "").strip() or None,
        status=(form.status.data or "").strip() or None,
        score_band=form.score.data,
        sort=(form.sort.data or "").strip() or "readiness",
        descending=(form.dir.data or "").strip() != "asc",
        membership=(form.members.data or "").strip() or DEFAULT_MEMBERSHIP,
    )


class CohortForm(FlaskForm):
    """Create or edit a cohort: name, slug, optional enrollment code and dates (UTC)."""

    name = StringField("Name", validators=[DataRequired(), LengthValidator(max=100)])
    slug = StringField("Slug (used in addresses)", validators=[DataRequired(), LengthValidator(max=64)])
    enrollment_code = StringField("Enrollment code (optional)", validators=[Optional(), LengthValidator(max=64)])
    opens_at = DateTimeLocalField("Opens (UTC, optional)", validators=[Optional()])
    closes_at = DateTimeLocalField("Closes (UTC, optional)", validators=[Optional()])


class GrantAttemptsForm(FlaskForm):
    """Give one learner extra attempts at one quiz, with the reason for the record."""

    attempts = IntegerField("Extra attempts", default=1, validators=[DataRequired(), NumberRange(min=1, max=MAX_GRANT)])
    reason = TextAreaField("Reason (kept in the record)", validators=[DataRequired(), LengthValidator(max=MAX_REASON)])


class ResetQuizForm(FlaskForm):
    """Set one learner's attempts at one quiz aside, with the reason for the record."""

    reason = TextAreaField("Reason (kept in the record)", validators=[DataRequired(), LengthValidator(max=MAX_REASON)])


class AttemptLimitForm(FlaskForm):
    """Change a quiz's attempt limit for a cohort or the whole course; blank goes back to the course's setting."""

    # No Optional(): it would let a blank choice through even where "the whole course" is not offered.
    cohort = SelectField("For", default="")
    max_attempts = IntegerField(
        "Attempts allowed (0 for no limit; leave blank to go back to the course's setting)",
        validators=[Optional(), NumberRange(min=0, max=MAX_LIMIT)],
    )
    reason = TextAreaField("Reason (kept in the record)", validators=[DataRequired(), LengthValidator(max=MAX_REASON)])
