"""Instructor pages: roster, one learner's record, and quiz analysis."""

from __future__ import annotations

from collections import defaultdict

from flask import abort, render_template, request, url_for

from ...domain import statistics
from ...models import STAFF_ROLES
from ...services.analysis import BASES, cached_quiz_analysis, quiz_summaries
from ...services.attempts import quiz_allowances
from ...services.cohorts import cohorts_of
from ...services.exports import submitted_counts
from ...services.lti.launches import LTI_COHORT_PREFIX
from ...services.lti.outbox import grades_for
from ...services.overrides import learner_events
from ...services.progress import course_progress
from ...services.review import learner_record
from ...services.roster import DEFAULT_PAGE_SIZE, STATUSES, narrows_learners, roster_page, roster_summary
from ..access import (
    can_change,
    course_role_required,
    current_course,
    lesson_or_404,
    staff_cohorts,
    visible_cohorts,
)
from ..presenters import review_items
from ..progress_view import progress_view
from .blueprint import bp
from .charts import histogram_bars
from .forms import GrantAttemptsForm, ResetQuizForm, roster_filters, roster_form, roster_link_args

ROSTER_ARGS = ("q", "cohort", "band", "status", "members", "score", "sort", "dir", "page", "per_page")


def roster_back_args() -> dict[str, str]:
    """The roster's filters carried in this request's query string (so breadcrumbs lead back to the same view)."""
    return {key: request.args[key] for key in ROSTER_ARGS if request.args.get(key)}


def visible_cohort_list(course_id: str):
    """The course's cohorts this staff member may see."""
    allowed = staff_cohorts()
    return [cohort for cohort in cohorts_of(course_id) if allowed is None or cohort.id in allowed]


@bp.route("/")
@course_role_required(*STAFF_ROLES)
def roster():
    """Show the course's learners (in the chosen cohort) with completion, section scores and readiness."""
    course = current_course()
    cohorts = visible_cohort_list(course.id)
    form = roster_form(course, cohorts)
    cohort_ids = visible_cohorts(form.cohort.data)
    filters = roster_filters(form, cohort_ids)
    per_page = int(form.per_page.data) if (form.per_page.data or "").strip() else DEFAULT_PAGE_SIZE
    form.per_page.data = str(per_page)  # the select shows the size in use, not its first option
    summary = roster_summary(course, cohort_ids, filters.membership)
    # Unfiltered, the page's total is the summary's count: a count over every learner saved.
    total = None if narrows_learners(course, filters) else summary.enrolled
    page = roster_page(course, filters, form.page.data or 1, per_page, total)
    args = roster_link_args(form)
    # Tiles and bars keep the cohort and the members shown (active by default), as the counts do.
    cohort_args = {key: args[key] for key in ("cohort", "members") if key in args}
    return render_template(
        "instructor/roster.html",
        course=course,
        form=form,
        filters=filters,
        page=page,
        summary=summary,
        bars=histogram_bars(summary.histogram),
        bar_links=[url_for("instructor.roster", score=index, **cohort_args) for index in range(len(summary.histogram))],
        unscored_args={k: v for k, v in args.items() if k != "score"},
        args=args,
        statuses=STATUSES,
        cohort_args=cohort_args,
        # Read from the cohorts already loaded: a platform's context is a cohort with the LTI slug prefix.
        lti_roster=any(cohort.slug.startswith(LTI_COHORT_PREFIX) for cohort in cohorts),
    )


def learner_page(enrollment_id: int, forms: dict | None = None, status: int = 200):
    """Render one learner's record (404 outside the staff member's cohorts), with the override forms given."""
    course = current_course()
    record = learner_record(course, enrollment_id, staff_cohorts())
    if record is None:
        abort(404, description="There is no such learner in this course.")
    progress = course_progress(record.enrollment, course)
    by_lesson: dict[str, list] = defaultdict(list)
    for attempt in record.attempts:
        items = review_items(record.answers.get(attempt.id, []), course.question, with_key=True)
        by_lesson[attempt.lesson_id].append((attempt, items))
    forms = forms or {}
    page = render_template(
        "instructor/learner.html",
        course=course,
        enrollment=record.enrollment,
        learner=record.user,
        progress=progress,
        readiness=progress.readiness,
        attempts=by_lesson,
        allowances=quiz_allowances(record.enrollment, course, attempts=record.attempts),
        events=learner_events(record.enrollment.id),
        grant_forms={
            lesson.id: forms.get(("grant", lesson.id)) or GrantAttemptsForm(formdata=None, prefix=f"grant-{lesson.id}")
            for lesson in course.lessons
        },
        reset_forms={
            lesson.id: forms.get(("reset", lesson.id)) or ResetQuizForm(formdata=None, prefix=f"reset-{lesson.id}")
            for lesson in course.lessons
        },
        can_change=can_change(),
        view=progress_view(course, progress),
        # Only accounts a platform made (they have no password) can have grades for it: no statement for others.
        lti_grades=[] if record.user.has_password else grades_for(record.user.id, course.id),
        back=roster_back_args(),
    )
    return page, status


@bp.route("/learners/<int:enrollment_id>")
@course_role_required(*STAFF_ROLES)
def learner(enrollment_id: int):
    """Show one learner's progress, every attempt with each answer against the key, readiness and overrides."""
    return learner_page(enrollment_id)


@bp.route("/quizzes")
@course_role_required(*STAFF_ROLES)
def quizzes():
    """List the section quizzes with attempts, mean, pass rate and flagged questions (in the staff member's cohorts)."""
    course = current_course()
    cohort_ids = staff_cohorts()
    return render_template(
        "instructor/quizzes.html",
        course=course,
        counts=submitted_counts(course, cohort_ids),
        summaries=quiz_summaries(course, cohort_ids),
    )


@bp.route("/quizzes/<lesson_id>")
@course_role_required(*STAFF_ROLES)
def quiz(lesson_id: str):
    """Show the statistics of one section quiz (in the chosen cohort) and flag the questions that need attention."""
    course = current_course()
    lesson = lesson_or_404(lesson_id)
    basis = request.args.get("basis", "first")
    if basis not in BASES:
        abort(400, description="Choose first attempts or all attempts.")
    cohort_slug = request.args.get("cohort", "")
    analysis = cached_quiz_analysis(course, lesson, basis, visible_cohorts(cohort_slug))
    return render_template(
        "instructor/quiz.html",
        course=course,
        lesson=lesson,
        analysis=analysis,
        bases=BASES,
        bars=histogram_bars(analysis.score_histogram),
        thresholds=statistics,
        cohorts=visible_cohort_list(course.id),
        cohort_slug=cohort_slug,
    )
