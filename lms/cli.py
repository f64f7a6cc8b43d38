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
from .domain.cohort import pick_special_questions, simulate_cohort
from .domain.course import QUESTION_TYPES, Course
from .domain.loading import CoursePackError, load_course_pack
from .extensions import db
from .services.accounts import EmailTaken, create_instructor, has_instructor, user_by_email
from .services.demo import DEMO_PASSWORD, demo_learners_present, write_cohort

lms = AppGroup("lms", help="Course pack and learner data commands.")

FIRST_INSTRUCTOR_EMAIL = "instructor@example.org"


def pack_summary(course: Course) -> str:
    """Describe a loaded pack: lessons, questions per type, quiz and readiness settings."""
    lines = [f"{course.title} ({course.id}): {len(course.lessons)} lessons"]
    totals: Counter[str] = Counter()
    for lesson in course.lessons:
        types = Counter(question.type for question in lesson.questions)
        totals.update(types)
        detail = ", ".join(f"{types[name]} {name}" for name in QUESTION_TYPES if types[name])
        lines.append(f"  {lesson.id:<12} {len(lesson.questions):>3} questions ({detail}), {lesson.minutes} min")
    total = sum(totals.values())
    detail = ", ".join(f"{totals[name]} {name}" for name in QUESTION_TYPES if totals[name])
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
    help="Folder holding content/ and quizzes/ (default: the app's course pack).",
)
def check_command(pack: Path | None) -> None:
    """Validate a course pack and print its summary, or every problem found."""
    root = pack or Path(current_app.config["COURSE_PACK_PATH"])
    try:
        course = load_course_pack(root)
    except CoursePackError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from error
    click.echo(pack_summary(course))
    click.echo("course pack OK")


@lms.command("create-instructor")
@click.argument("email")
@click.option("--name", default="Course Instructor", show_default=True, help="Display name for a new account.")
@click.option("--generate-password", is_flag=True, help="Generate a password and print it once, instead of asking.")
def create_instructor_command(email: str, name: str, generate_password: bool) -> None:
    """Create an instructor account, or make an existing account an instructor."""
    password = None
    if generate_password:
        password = secrets.token_urlsafe(12)
    try:
        user, created = create_instructor(name, email, password or _ask_password_if_new(email))
    except (EmailTaken, ValueError) as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    if created:
        click.echo(f"Created instructor {user.email}.")
        if generate_password:
            click.echo(f"Password (shown once): {password}")
    else:
        click.echo(f"{user.email} is now an instructor (password unchanged).")


def _ask_password_if_new(email: str) -> str | None:
    if user_by_email(email) is not None:
        return None
    password = click.prompt("Password for the new instructor", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.ClickException("use at least 8 characters")
    return password


@lms.command("bootstrap")
def bootstrap_command() -> None:
    """Create a first instructor when there is none, printing its sign-in details once."""
    if has_instructor():
        return
    password = secrets.token_urlsafe(12)
    create_instructor("Course Instructor", FIRST_INSTRUCTOR_EMAIL, password)
    db.session.commit()
    click.echo("")
    click.echo("  First instructor account (shown once; change it or make your own with")
    click.echo("  `flask --app app lms create-instructor EMAIL`):")
    click.echo(f"    email:    {FIRST_INSTRUCTOR_EMAIL}")
    click.echo(f"    password: {password}")
    click.echo("")


@lms.command("demo")
@click.option("--learners", default=200, show_default=True, type=click.IntRange(1, 1_000_000), help="Cohort size.")
@click.option("--seed", default=2026, show_default=True, type=int, help="Random seed: the same seed, the same cohort.")
def demo_command(learners: int, seed: int) -> None:
    """Fill the database with a realistic simulated cohort (mixed progress, retakes, hard and broken questions)."""
    if current_app.config["LMS_ENV"] == "production":
        raise click.ClickException("lms demo writes made-up learners with a shared password: not in production")
    course: Course = current_app.extensions["lms.course"]
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
    app.cli.add_command(lms)
