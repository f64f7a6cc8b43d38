"""Load a course pack from files and validate it, reporting every problem with file and field."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from .course import (
    Band,
    Course,
    GradingMethod,
    Lesson,
    Objective,
    QuizSettings,
    ReadinessSettings,
    ReviewSettings,
    ShowKey,
)
from .markup import find_passage, render_markdown
from .questions import REGISTRY, Question
from .reader import IDENTIFIER, Problem, Reader, describe


class CoursePackError(Exception):
    """Raised when a course pack is invalid; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = tuple(problems)
        count = len(self.problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(f"course pack has {count} problem{'s' if count != 1 else ''}:\n{lines}")


def _read_yaml(root: Path, relative: str, problems: list[Problem]) -> Any:
    """Parse a YAML file; on a missing file or a syntax error record a problem and return None."""
    path = root / relative
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(Problem(relative, "", "file not found"))
        return None
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(relative, "", f"cannot be read: {error}"))
        return None
    return _parse_yaml(text, relative, problems)


def _parse_yaml(text: str, relative: str, problems: list[Problem]) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "YAML"
        reason = getattr(error, "problem", None) or str(error)
        problems.append(Problem(relative, where, f"invalid YAML: {reason}"))
        return None


def _load_lesson(root: Path, lesson_id: str, problems: list[Problem]) -> Lesson | None:
    relative = f"content/{lesson_id}.md"
    try:
        source = (root / relative).read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(Problem(relative, "", "file not found (every lesson in course.yaml needs one)"))
        return None
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(relative, "", f"cannot be read: {error}"))
        return None
    rendered = render_markdown(source)
    if rendered.front_matter is None:
        problems.append(Problem(relative, "front matter", "missing: start the file with a --- block"))
        return None
    meta = _parse_yaml(rendered.front_matter, relative, problems)
    reader = Reader(problems, relative, meta, "front matter.")
    if not reader.ok:
        return None
    reader.reject_unknown({"id", "title", "summary", "minutes", "objectives"})
    found_id = reader.identifier("id")
    if found_id is not None and found_id != lesson_id:
        reader.problem("id", f"is {found_id!r} but the file is named for {lesson_id!r}")
    title = reader.text("title")
    summary = reader.text("summary", required=False)
    minutes = reader.number("minutes", 1, 240, integer=True)
    objectives = _read_objectives(reader)
    if rendered.top_level_headings:
        problems.append(Problem(relative, "body", "use ## or deeper for headings: the page supplies the title"))
    if not rendered.blocks:
        problems.append(Problem(relative, "body", "the lesson has no text"))
    if None in (title, minutes, objectives) or found_id != lesson_id:
        return None
    return Lesson(
        id=lesson_id,
        title=title,
        summary=summary or "",
        minutes=minutes,
        objectives=tuple(objectives),
        html=rendered.html,
        blocks=rendered.blocks,
    )


def _read_objectives(lesson: Reader) -> list[Objective] | None:
    """Read the front matter's objectives: a list of {id, text}, ids unique in the lesson."""
    raw = lesson.data.get("objectives")
    if not isinstance(raw, list) or not 1 <= len(raw) <= 8:
        lesson.problem("objectives", f"must be a list of 1 to 8 objectives (id and text), got {describe(raw)}")
        return None
    objectives: list[Objective] = []
    for position, item in enumerate(raw):
        reader = lesson.child(f"objectives[{position}]", item)
        if not reader.ok:
            return None
        reader.reject_unknown({"id", "text"})
        objective_id, text = reader.identifier("id"), reader.text("text")
        if objective_id is None or text is None:
            return None
        if any(objective.id == objective_id for objective in objectives):
            reader.problem("id", f"{objective_id!r} is used by another objective of this lesson")
            return None
        objectives.append(Objective(objective_id, text))
    return objectives


def _question_objectives(reader: Reader, lesson: Lesson) -> tuple[str, ...] | None:
    """Read the ids of the objectives a question measures; each must be one of its lesson's."""
    ids = reader.text_list("objectives", 1, 8)
    if ids is None:
        return None
    known = {objective.id for objective in lesson.objectives}
    unknown = [objective_id for objective_id in ids if objective_id not in known]
    if unknown:
        reader.problem(
            "objectives",
            f"{', '.join(map(repr, unknown))} not an objective of lesson {lesson.id!r}"
            f" (its objectives: {', '.join(sorted(known))})",
        )
        return None
    return tuple(dict.fromkeys(ids))


def _load_bank(root: Path, lesson: Lesson, seen_ids: set[str], problems: list[Problem]) -> tuple[Question, ...]:
    relative = f"quizzes/{lesson.id}.yaml"
    known_problems = len(problems)
    data = _read_yaml(root, relative, problems)
    if data is None:
        if len(problems) == known_problems:
            problems.append(Problem(relative, "", "is empty"))
        return ()
    bank = Reader(problems, relative, data)
    if not bank.ok:
        return ()
    bank.reject_unknown({"lesson", "questions"})
    named = bank.identifier("lesson")
    if named is not None and named != lesson.id:
        bank.problem("lesson", f"is {named!r} but the file is named for {lesson.id!r}")
    raw_questions = bank.data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        bank.problem("questions", f"must be a non-empty list, got {describe(raw_questions)}")
        return ()
    questions = []
    for position, raw in enumerate(raw_questions):
        reader = bank.child(f"questions[{position}]", raw)
        if not reader.ok:
            continue
        question_id = reader.identifier("id")
        if question_id is not None and question_id in seen_ids:
            reader.problem("id", f"{question_id!r} is already used by another question in the pack")
            question_id = None
        if question_id is not None:
            seen_ids.add(question_id)
        question_type = reader.text("type")
        if question_type is not None and question_type not in REGISTRY:
            reader.problem("type", f"must be one of {', '.join(REGISTRY)}, got {question_type!r}")
            question_type = None
        prompt = reader.text("prompt")
        explanation = reader.text("explanation")
        source = reader.text("source")
        anchor = find_passage(lesson.blocks, source) if source else None
        if source and anchor is None:
            reader.problem("source", f"not found word for word in content/{lesson.id}.md: {describe(source)}")
        objectives = _question_objectives(reader, lesson)
        if None in (question_id, question_type, prompt, explanation, anchor, objectives):
            continue
        common = {
            "objectives": objectives,
            "id": question_id,
            "lesson_id": lesson.id,
            "prompt": prompt,
            "explanation": explanation,
            "source": source,
            "source_anchor": anchor,
        }
        question = REGISTRY[question_type].read(reader, common)
        if question is not None:
            questions.append(question)
    return tuple(questions)


def _load_quiz_settings(course: Reader) -> QuizSettings | None:
    quiz = course.child("quiz", course.data.get("quiz"))
    if not quiz.ok:
        return None
    quiz.reject_unknown({"questions_per_attempt", "pass_mark", "max_attempts"})
    size = quiz.number("questions_per_attempt", 1, 100, integer=True)
    pass_mark = quiz.number("pass_mark", 0, 100)
    max_attempts = quiz.number("max_attempts", 0, 1000, integer=True)
    if None in (size, pass_mark, max_attempts):
        return None
    return QuizSettings(questions_per_attempt=size, pass_mark=float(pass_mark), max_attempts=max_attempts)


def _load_readiness(course: Reader, lesson_ids: list[str]) -> ReadinessSettings | None:
    readiness = course.child("readiness", course.data.get("readiness"))
    if not readiness.ok:
        return None
    readiness.reject_unknown({"grading", "weights", "bands"})
    grading_name = readiness.text("grading", required=False, default="highest")
    valid = [method.value for method in GradingMethod]
    if grading_name is not None and grading_name not in valid:
        readiness.problem("grading", f"must be one of {', '.join(valid)}, got {grading_name!r}")
        grading_name = None
    weights_reader = readiness.child("weights", readiness.data.get("weights") or {})
    weights = {}
    for lesson_id in weights_reader.data:
        if lesson_id not in lesson_ids:
            weights_reader.problem(str(lesson_id), "is not a lesson of this course")
            continue
        weight = weights_reader.number(lesson_id, 0.01, 1000)
        if weight is not None:
            weights[lesson_id] = float(weight)
    raw_bands = readiness.data.get("bands")
    if not isinstance(raw_bands, list) or not raw_bands:
        readiness.problem("bands", f"must be a non-empty list, got {describe(raw_bands)}")
        return None
    bands = []
    for position, raw in enumerate(raw_bands):
        band = readiness.child(f"bands[{position}]", raw)
        if not band.ok:
            return None
        band.reject_unknown({"name", "min_score", "all_passed"})
        name = band.text("name")
        min_score = band.number("min_score", 0, 100)
        all_passed = band.boolean("all_passed", required=False)
        if None in (name, min_score, all_passed):
            return None
        if bands and min_score >= bands[-1].min_score:
            band.problem("min_score", "must be lower than the band above it")
            return None
        bands.append(Band(name=name, min_score=float(min_score), all_passed=all_passed))
    if bands[-1].min_score != 0:
        readiness.problem(f"bands[{len(bands) - 1}].min_score", "the last band must start at 0")
        return None
    if grading_name is None:
        return None
    return ReadinessSettings(grading=GradingMethod(grading_name), weights=weights, bands=tuple(bands))


def _load_review(course: Reader) -> ReviewSettings | None:
    """Read the optional review settings; a missing block or field takes the defaults."""
    if "review" not in course.data:
        return ReviewSettings()
    review = course.child("review", course.data.get("review"))
    if not review.ok:
        return None
    review.reject_unknown({"show_key"})
    default = ReviewSettings().show_key.value
    show_key = review.text("show_key", required=False, default=default)
    valid = [choice.value for choice in ShowKey]
    if show_key is not None and show_key not in valid:
        review.problem("show_key", f"must be one of {', '.join(valid)}, got {show_key!r}")
        return None
    return None if show_key is None else ReviewSettings(show_key=ShowKey(show_key))


def _unlisted_files(root: Path, lesson_ids: list[str], problems: list[Problem]) -> None:
    for folder, suffix in (("content", ".md"), ("quizzes", ".yaml")):
        for path in sorted((root / folder).glob(f"*{suffix}")):
            if path.stem not in lesson_ids:
                problems.append(Problem(f"{folder}/{path.name}", "", "is not listed in content/course.yaml lessons"))


def load_course_pack(root: Path | str) -> Course:
    """Load and validate the pack under root (content/, quizzes/); raise CoursePackError listing every problem."""
    root = Path(root)
    problems: list[Problem] = []
    data = _read_yaml(root, "content/course.yaml", problems)
    if data is None:
        raise CoursePackError(problems or [Problem("content/course.yaml", "", "is empty")])
    course = Reader(problems, "content/course.yaml", data)
    if not course.ok:
        raise CoursePackError(problems)
    course.reject_unknown({"id", "title", "description", "lessons", "quiz", "readiness", "review"})
    course_id = course.identifier("id")
    title = course.text("title")
    description = course.text("description", required=False)
    lesson_ids = course.text_list("lessons", 1, 1000) or []
    for position, lesson_id in enumerate(lesson_ids):
        if not IDENTIFIER.match(lesson_id):
            course.problem(f"lessons[{position}]", f"must be lowercase letters, digits, '-' or '_', got {lesson_id!r}")
        elif lesson_ids.index(lesson_id) != position:
            course.problem(f"lessons[{position}]", f"{lesson_id!r} is listed twice")
    lesson_ids = [lesson_id for lesson_id in dict.fromkeys(lesson_ids) if IDENTIFIER.match(lesson_id)]
    quiz = _load_quiz_settings(course)
    readiness = _load_readiness(course, lesson_ids)
    review = _load_review(course)
    _unlisted_files(root, lesson_ids, problems)

    lessons = []
    seen_question_ids: set[str] = set()
    for lesson_id in lesson_ids:
        lesson = _load_lesson(root, lesson_id, problems)
        if lesson is None:
            continue
        questions = _load_bank(root, lesson, seen_question_ids, problems)
        if quiz is not None and questions and len(questions) < quiz.questions_per_attempt:
            problems.append(
                Problem(
                    f"quizzes/{lesson_id}.yaml",
                    "questions",
                    f"has {len(questions)} valid questions; an attempt draws {quiz.questions_per_attempt}",
                )
            )
        lessons.append(replace(lesson, questions=questions))
    if problems:
        raise CoursePackError(problems)
    return Course(
        id=course_id,
        title=title,
        description=description or "",
        lessons=tuple(lessons),
        quiz=quiz,
        readiness=readiness,
        review=review,
    )
