"""Cohorts of the course: instructors create and edit them; assistants only see them."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import flash, redirect, render_template, url_for

from ...extensions import db
from ...models import STAFF_ROLES
from ...services.cohorts import CohortDetails, CohortProblem, create_cohort, learner_counts, update_cohort
from ..access import can_change, cohort_or_404, course_role_required, current_course, staff_cohorts
from .blueprint import bp
from .forms import CohortForm
from .views import visible_cohort_list


def _utc(value: datetime | None) -> datetime | None:
    # The form's datetime-local fields carry no zone: the page says they are UTC.
    return value.replace(tzinfo=UTC) if value is not None else None


def _details(form: CohortForm) -> CohortDetails:
    return CohortDetails(
        name=form.name.data or "",
        slug=form.slug.data or "",
        enrollment_code=form.enrollment_code.data,
        opens_at=_utc(form.opens_at.data),
        closes_at=_utc(form.closes_at.data),
    )


def _page(form: CohortForm, status: int = 200):
    course = current_course()
    page = render_template(
        "instructor/cohorts.html",
        course=course,
        cohorts=visible_cohort_list(course.id),
        counts=learner_counts(course.id),
        form=form,
        can_change=can_change() and staff_cohorts() is None,
    )
    return page, status


@bp.route("/cohorts")
@course_role_required(*STAFF_ROLES)
def cohorts():
    """List the course's cohorts with their codes, dates and learner counts; instructors get a form to add one."""
    return _page(CohortForm(formdata=None))


@bp.route("/cohorts", methods=["POST"], endpoint="create_cohort")
@course_role_required("instructor")
def create_cohort_view():
    """Create a cohort; a bad or taken name, slug or code gets the form back with the reason."""
    form = CohortForm()
    if form.validate_on_submit():
        try:
            cohort = create_cohort(current_course().id, _details(form))
        except CohortProblem as problem:
            getattr(form, problem.field, form.name).errors.append(str(problem))
        else:
            db.session.commit()
            flash(f"Cohort “{cohort.name}” created.", "success")
            return redirect(url_for("instructor.cohorts"))
    return _page(form, 400)


@bp.route("/cohorts/<int:cohort_id>", methods=["GET", "POST"])
@course_role_required(*STAFF_ROLES)
def edit_cohort(cohort_id: int):
    """Show a cohort (GET); instructors change its name, slug, code and dates (POST)."""
    cohort = cohort_or_404(cohort_id)
    form = CohortForm(obj=cohort)
    if form.validate_on_submit():
        try:
            update_cohort(cohort, _details(form))
        except CohortProblem as problem:
            db.session.rollback()
            getattr(form, problem.field, form.name).errors.append(str(problem))
        else:
            db.session.commit()
            flash(f"Cohort “{cohort.name}” saved.", "success")
            return redirect(url_for("instructor.cohorts"))
    status = 400 if form.errors else 200
    page = render_template(
        "instructor/cohort.html", course=current_course(), cohort=cohort, form=form, can_change=can_change()
    )
    return page, status
