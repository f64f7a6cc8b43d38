"""Command line: `flask --app app lms ...`."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .domain.course import QUESTION_TYPES, Course
from .domain.loading import CoursePackError, load_course_pack

lms = AppGroup("lms", help="Course pack and learner data commands.")


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


def init_app(app: Flask) -> None:
    """Register the `lms` command group."""
    app.cli.add_command(lms)
