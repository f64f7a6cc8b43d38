"""The instructor's LTI actions: sync the roster from the course platform, resend a learner's grades."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for

from ...extensions import db
from ...services.lti.outbox import resend
from ...services.lti.roster_sync import contexts_of_cohorts
from ...services.review import learner_record
from ..access import can_change, course_role_required, current_course, staff_cohorts
from ..forms import ActionForm
from ..lti_sync import sync_contexts
from .blueprint import bp


@bp.route("/roster/sync", methods=["POST"])
@course_role_required("instructor")
def sync_lti_roster():
    """Sync the roster from the course platform(s) of the cohorts this instructor sees."""
    if not ActionForm().validate_on_submit():
        abort(400, description="The form expired; try again.")
    allowed = staff_cohorts()
    contexts = contexts_of_cohorts(list(allowed) if allowed is not None else None, current_course().id)
    if not contexts:
        flash("No cohort of this course comes from a course platform with a roster service.", "info")
        return redirect(url_for("instructor.roster"))
    members, problems = sync_contexts(contexts, only_due=False)
    db.session.commit()
    if problems:
        flash(f"The roster could not be read from: {', '.join(problems)}. Try again later.", "error")
    else:
        flash(f"Roster synced from the course platform: {members} members.", "success")
    return redirect(url_for("instructor.roster"))


@bp.route("/learners/<int:enrollment_id>/resend-grades", methods=["POST"])
@course_role_required("instructor")
def resend_grades(enrollment_id: int):
    """Queue a learner's undelivered grades for the course platform again."""
    if not ActionForm().validate_on_submit() or not can_change():
        abort(400, description="The form expired; try again.")
    record = learner_record(current_course(), enrollment_id, staff_cohorts())
    if record is None:
        abort(404, description="There is no such learner in this course.")
    contexts = contexts_of_cohorts(None, current_course().id)
    count = resend(record.user.id, [context.id for context in contexts])
    db.session.commit()
    flash(f"{count} grade(s) queued to be sent again.", "success")
    return redirect(url_for("instructor.learner", enrollment_id=enrollment_id))
