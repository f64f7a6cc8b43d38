"""Command line: `flask --app app lms ...`."""

from __future__ import annotations

import random
import secrets
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .backup import backup_command
from .cli_lti import lti
from .cli_mail import mail
from .domain.catalog import Catalog, load_catalog
from .domain.course import Course
from .domain.lint import lint_course
from .domain.loading import CoursePackError
from .domain.passwords import password_problems
from .domain.questions import REGISTRY
from .domain.simulation import pick_special_questions, simulate_cohort
from .extensions import db
from .services.accounts import EmailTaken, create_staff, has_admin, user_by_email
from .services.cohorts import cohort_by_slug, limit_staff
from .services.demo import DEMO_PASSWORD, demo_learners_present, write_cohort
from .services.progress import enrollment_for
from .services.summaries import refresh_stale_summaries
from .services.tokens import set_new_password
from .web.texts import password_problem_text

lms = AppGroup("lms", help="Course pack and learner data commands.")

FIRST_INSTRUCTOR_EMAIL = "instructor@example.org"


def pack_summary(course: Course) -> str:
    """Describe a loaded pack: lessons, questions per type, quiz and readiness settings."""
    lines = [f"{course.title} ({course.id}): {len(course.lessons)} lessons"]
    totals: Counter[str] = Counter()
    for lesson in course.lessons:
        types = Counter(question.type for question in lesson.questions)
        totals.update(types)
        detail = ", ".join(f"{types[name]} {name}" for name in REGISTRY if types[name])
        lines.append(f"  {lesson.id:<12} {len(lesson.questions):>3} questions ({detail}), {lesson.minutes} min")
        counts = ", ".join(f"{item.id} {len(lesson.questions_for(item.id))}" for item in lesson.objectives)
        lines.append(f"  {'':<12} objectives: {counts}")
    total = sum(totals.values())
    detail = ", ".join(f"{totals[name]} {name}" for name in REGISTRY if totals[name])
    lines.append(f"  {'total':<12} {total:>3} questions ({detail})")
    quiz = course.quiz
    limit = quiz.max_attempts or "unlimited"
    lines.append(
        f"quiz: {quiz.questions_per_attempt} questions per attempt, pass mark {quiz.pass_mark:g}%, attempts {limit}"
    )
    bands = ", ".join(f"{band.name} >= {band.min_score:g}" for band in course.readiness.bands)
    lines.append(f"readiness: {course.readiness.grading.value} score per section; bands {bands}")
    return "\n".join(lines)


@lms.command("check")
@click.option(
    "--pack",
    type=click.Path(file_okay=False, path_type=Path),
    help="A pack (content/, quizzes/) or a catalog (courses/<id>/...); default: the app's COURSE_PACK_PATH.",
)
@click.option("--lint", is_flag=True, help="Also warn about item-writing cues (warnings never fail the check).")
def check_command(pack: Path | None, lint: bool) -> None:
    """Validate every course pack of the catalog and print their summaries, or every problem found."""
    root = pack or Path(current_app.config["COURSE_PACK_PATH"])
    try:
        catalog = load_catalog(root)
    except CoursePackError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from error
    for course in catalog.values():
        click.echo(pack_summary(course))
    click.echo("course pack OK" if len(catalog) == 1 else f"{len(catalog)} course packs OK")
    if lint:
        warnings = [warning for course in catalog.values() for warning in lint_course(course)]
        for warning in warnings:
            click.echo(str(warning))
        rules = Counter(warning.rule for warning in warnings)
        detail = f" ({', '.join(f'{rule} {count}' for rule, count in rules.most_common())})" if rules else ""
        click.echo(f"{len(warnings)} item-writing warning{'' if len(warnings) == 1 else 's'}{detail}")


def catalog() -> Catalog:
    """The app's catalog of courses."""
    return current_app.extensions["lms.catalog"]


def course_option(function):
    """Add `--course ID` (default: the catalog's first course), passing the Course on."""

    def to_course(ctx, param, value: str | None) -> Course:
        if value is None:
            return catalog().default
        if value not in catalog():
            raise click.BadParameter(f"no course {value!r}; the catalog has {', '.join(catalog())}")
        return catalog()[value]

    return click.option(
        "--course", "course", callback=to_course, help="Course id (default: the catalog's first course)."
    )(function)


@lms.command("create-instructor")
@click.argument("email")
@click.option("--name", default="Course Instructor", show_default=True, help="Display name for a new account.")
@click.option("--course", "course_id", help="Make the account an instructor of this course (default: the first).")
@click.option("--assistant", is_flag=True, help="A teaching assistant (views, changes nothing) instead.")
@click.option("--admin", is_flag=True, help="Also a site administrator: instructor of every course, and the CLI.")
@click.option("--cohort", "cohort_slugs", multiple=True, help="Limit them to this cohort (repeat for several).")
@click.option("--generate-password", is_flag=True, help="Generate a password and print it once, instead of asking.")
@click.option(
    "--reset-password", is_flag=True, help="Give an existing account a new password (signs it out everywhere)."
)
def create_instructor_command(
    email: str,
    name: str,
    course_id: str | None,
    assistant: bool,
    admin: bool,
    cohort_slugs: tuple[str, ...],
    generate_password: bool,
    reset_password: bool,
) -> None:
    """Create an instructor account, or make an existing account an instructor of a course."""
    if course_id is not None and course_id not in catalog():
        raise click.ClickException(f"no course {course_id!r}; the catalog has {', '.join(catalog())}")
    course = catalog()[course_id] if course_id else catalog().default
    role = "assistant" if assistant else "instructor"
    role_name = "an assistant" if assistant else "an instructor"
    password = secrets.token_urlsafe(12) if generate_password else None
    try:
        cohorts = [cohort_by_slug(course.id, slug) for slug in cohort_slugs]
        if None in cohorts:
            raise ValueError(f"{course.id} has no cohort {cohort_slugs[cohorts.index(None)]!r}")
        if reset_password and password is None:
            password = _ask_new_password(email, "New password")
        user, created = create_staff(name, email, password or _ask_password_if_new(email), course, admin, role)
        if reset_password and not created:
            set_new_password(user, password)
        if cohorts:
            limit_staff(enrollment_for(user.id, course.id), cohorts)
    except (EmailTaken, ValueError) as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    what = f"{role_name} of {course.id}" + (" and an administrator" if admin else "")
    if cohort_slugs:
        what += f" (cohorts {', '.join(cohort_slugs)} only)"
    if created:
        click.echo(f"Created {user.email}, {what}.")
        if generate_password:
            click.echo(f"Password (shown once): {password}")
    elif reset_password:
        click.echo(f"{user.email} is now {what}, with a new password; every session of the account is signed out.")
        if generate_password:
            click.echo(f"Password (shown once): {password}")
    else:
        click.echo(f"{user.email} is now {what} (password unchanged; --reset-password sets a new one).")


def _ask_password_if_new(email: str) -> str | None:
    if user_by_email(email) is not None:
        return None
    return _ask_new_password(email, "Password for the new instructor")


def _ask_new_password(email: str, prompt: str) -> str:
    password = click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    problems = password_problems(password, email, "")
    if problems:
        raise click.ClickException(f"that password will not do: {password_problem_text(problems[0])}")
    return password


@lms.command("bootstrap")
def bootstrap_command() -> None:
    """Create a first administrator (instructor of the first course) when there is none, printing its sign-in once."""
    if has_admin():
        return
    password = secrets.token_urlsafe(12)
    create_staff("Course Instructor", FIRST_INSTRUCTOR_EMAIL, password, catalog().default, admin=True)
    db.session.commit()
    click.echo("")
    click.echo("  First instructor account, an administrator (shown once; change it or make your own with")
    click.echo("  `flask --app app lms create-instructor EMAIL [--course ID] [--admin]`):")
    click.echo(f"    email:    {FIRST_INSTRUCTOR_EMAIL}")
    click.echo(f"    password: {password}")
    click.echo("  Lost it? `flask --app app lms create-instructor EMAIL --reset-password`, or")
    click.echo("  'Forgot password?' on the sign-in page (the mail goes to the console in development).")
    click.echo("")


@lms.command("refresh-summaries")
@click.option("--course", "course_id", help="Only this course (default: every course of the catalog).")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000))
def refresh_summaries_command(course_id: str | None, batch_size: int) -> None:
    """Recompute the stored summaries computed with other pack settings (after a pack edit), in batches."""
    if course_id is not None and course_id not in catalog():
        raise click.ClickException(f"no course {course_id!r}; the catalog has {', '.join(catalog())}")
    for course in [catalog()[course_id]] if course_id else catalog().values():
        total = 0
        while refreshed := refresh_stale_summaries(course, batch_size):
            db.session.commit()
            total += refreshed
        click.echo(f"{course.id}: {total} stale summar{'y' if total == 1 else 'ies'} refreshed.")


@lms.command("demo")
@click.option("--learners", default=200, show_default=True, type=click.IntRange(1, 1_000_000), help="Cohort size.")
@click.option("--seed", default=2026, show_default=True, type=int, help="Random seed: the same seed, the same cohort.")
@course_option
def demo_command(learners: int, seed: int, course: Course) -> None:
    """Fill the database with a realistic simulated cohort (mixed progress, retakes, hard and broken questions)."""
    if current_app.config["LMS_ENV"] == "production":
        raise click.ClickException("lms demo writes made-up learners with a shared password: not in production")
    if demo_learners_present():
        raise click.ClickException("this database already holds demo learners; use a fresh database")
    rng = random.Random(seed)
    hard, broken = pick_special_questions(course, rng)
    cohort = simulate_cohort(course, learners, rng, datetime.now(UTC), broken_questions=broken, hard_questions=hard)
    started = time.perf_counter()
    with click.progressbar(length=learners, label="Writing learners", show_pos=True) as bar:
        counts = write_cohort(course, cohort, on_batch=bar.update)
    db.session.commit()
    elapsed = time.perf_counter() - started
    click.echo(f"{counts.learners} learners, {counts.attempts} attempts, {counts.answers} answers in {elapsed:.1f} s.")
    click.echo(f"Hard questions: {', '.join(sorted(hard))}")
    click.echo(f"Broken questions (negative discrimination): {', '.join(sorted(broken))}")
    click.echo(f"Demo learners sign in with their email and the password {DEMO_PASSWORD!r}.")


def init_app(app: Flask) -> None:
    """Register the `lms` command group."""
    lms.add_command(backup_command)
    lms.add_command(lti)
    lms.add_command(mail)
    app.cli.add_command(lms)
