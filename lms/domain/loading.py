"""Load a course pack from files and validate it, reporting every problem with file and field."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from .course import (
    QUESTION_TYPES,
    Band,
    Course,
    GradingMethod,
    Lesson,
    MatchingQuestion,
    MultipleResponseQuestion,
    Objective,
    Option,
    OrderingQuestion,
    Question,
    QuizSettings,
    ReadinessSettings,
    SingleChoiceQuestion,
    TrueFalseQuestion,
    option_id,
)
from .markup import find_passage, render_markdown

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_MISSING = object()


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a pack: which file, which field, and why."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}" if self.field else f"{self.file}: {self.message}"


class CoursePackError(Exception):
    """Raised when a course pack is invalid; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = tuple(problems)
        count = len(self.problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(f"course pack has {count} problem{'s' if count != 1 else ''}:\n{lines}")


class _Reader:
    """Read typed fields from one mapping of a pack file, recording a Problem for each bad one."""

    def __init__(self, problems: list[Problem], file: str, data: Any, prefix: str = ""):
        self.problems = problems
        self.file = file
        self.prefix = prefix
        self.ok = isinstance(data, dict)
        self.data: dict = data if self.ok else {}
        if not self.ok:
            self.problem("", f"must be a mapping of fields, got {_describe(data)}")

    def problem(self, key: str, message: str) -> None:
        field = f"{self.prefix}{key}" if key else self.prefix.rstrip(".")
        self.problems.append(Problem(self.file, field, message))

    def child(self, key: str, data: Any) -> _Reader:
        return _Reader(self.problems, self.file, data, f"{self.prefix}{key}.")

    def _get(self, key: str, required: bool) -> Any:
        value = self.data.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required and self.ok:
                self.problem(key, "is required")
            return _MISSING
        return value

    def text(self, key: str, required: bool = True, default: str = "") -> str | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None if required else default
        if not isinstance(value, str) or not value.strip():
            self.problem(key, f"must be non-empty text, got {_describe(value)}")
            return None
        return value.strip()

    def identifier(self, key: str) -> str | None:
        value = self.text(key)
        if value is not None and not _ID.match(value):
            self.problem(key, f"must be lowercase letters, digits, '-' or '_', got {value!r}")
            return None
        return value

    def number(self, key: str, minimum: float, maximum: float, integer: bool = False) -> Any:
        value = self._get(key, True)
        if value is _MISSING:
            return None
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds):
            kind = "a whole number" if integer else "a number"
            self.problem(key, f"must be {kind}, got {_describe(value)}")
            return None
        if not minimum <= value <= maximum:
            self.problem(key, f"must be between {minimum:g} and {maximum:g}, got {value:g}")
            return None
        return value

    def boolean(self, key: str, required: bool = True, default: bool = False) -> bool | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None if required else default
        if not isinstance(value, bool):
            self.problem(key, f"must be true or false, got {_describe(value)}")
            return None
        return value

    def text_list(self, key: str, min_items: int, max_items: int, required: bool = True) -> list[str] | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None if required else []
        if not isinstance(value, list):
            self.problem(key, f"must be a list, got {_describe(value)}")
            return None
        items = []
        for position, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.problem(f"{key}[{position}]", f"must be non-empty text, got {_describe(item)}")
                return None
            items.append(item.strip())
        if not min_items <= len(items) <= max_items:
            self.problem(key, f"must have {_range(min_items, max_items)} items, got {len(items)}")
            return None
        return items

    def reject_unknown(self, allowed: set[str]) -> None:
        for key in self.data:
            if key not in allowed:
                self.problem(str(key), f"is not a known field (known: {', '.join(sorted(allowed))})")


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


def _range(low: int, high: int) -> str:
    return f"at least {low}" if high >= 1000 else f"{low} to {high}"


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


def _distinct(reader: _Reader, key: str, texts: list[str]) -> bool:
    seen: set[str] = set()
    for text in texts:
        if text in seen:
            reader.problem(key, f"option {text!r} appears twice")
            return False
        seen.add(text)
    return True


def _options(question_id: str, texts: list[str]) -> tuple[Option, ...]:
    return tuple(Option(option_id(question_id, text), text) for text in texts)


_COMMON_FIELDS = {"id", "type", "prompt", "explanation", "source", "objectives"}


def _single(reader: _Reader, common: dict) -> Question | None:
    reader.reject_unknown(_COMMON_FIELDS | {"answer", "distractors"})
    answer = reader.text("answer")
    distractors = reader.text_list("distractors", 1, 7)
    if answer is None or distractors is None or not _distinct(reader, "distractors", [answer, *distractors]):
        return None
    options = _options(common["id"], [answer, *distractors])
    return SingleChoiceQuestion(**common, options=options, answer_id=options[0].id)


def _multiple(reader: _Reader, common: dict) -> Question | None:
    reader.reject_unknown(_COMMON_FIELDS | {"answers", "distractors"})
    answers = reader.text_list("answers", 1, 7)
    distractors = reader.text_list("distractors", 1, 7)
    if answers is None or distractors is None:
        return None
    if len(answers) + len(distractors) > 8:
        reader.problem("distractors", "a question may have 8 options at most (answers and distractors)")
        return None
    if not _distinct(reader, "distractors", answers + distractors):
        return None
    options = _options(common["id"], answers + distractors)
    answer_ids = frozenset(option.id for option in options[: len(answers)])
    return MultipleResponseQuestion(**common, options=options, answer_ids=answer_ids)


def _true_false(reader: _Reader, common: dict) -> Question | None:
    reader.reject_unknown(_COMMON_FIELDS | {"answer"})
    answer = reader.boolean("answer")
    return None if answer is None else TrueFalseQuestion(**common, answer=answer)


def _ordering(reader: _Reader, common: dict) -> Question | None:
    reader.reject_unknown(_COMMON_FIELDS | {"sequence"})
    sequence = reader.text_list("sequence", 3, 8)
    if sequence is None or not _distinct(reader, "sequence", sequence):
        return None
    return OrderingQuestion(**common, sequence=_options(common["id"], sequence))


def _matching(reader: _Reader, common: dict) -> Question | None:
    reader.reject_unknown(_COMMON_FIELDS | {"pairs", "distractors"})
    raw_pairs = reader.data.get("pairs")
    if not isinstance(raw_pairs, list) or not 2 <= len(raw_pairs) <= 8:
        reader.problem("pairs", f"must be a list of 2 to 8 term/match pairs, got {_describe(raw_pairs)}")
        return None
    terms, matches = [], []
    for position, raw in enumerate(raw_pairs):
        pair = reader.child(f"pairs[{position}]", raw)
        pair.reject_unknown({"term", "match"})
        term, match = pair.text("term"), pair.text("match")
        if term is None or match is None:
            return None
        terms.append(term)
        matches.append(match)
    distractors = reader.text_list("distractors", 0, 4, required=False)
    if distractors is None:
        return None
    if not _distinct(reader, "pairs", terms) or not _distinct(reader, "pairs", matches + distractors):
        return None
    term_options = _options(common["id"], terms)
    match_options = _options(common["id"], matches + distractors)
    key = {term.id: match.id for term, match in zip(term_options, match_options, strict=False)}
    return MatchingQuestion(**common, terms=term_options, matches=match_options, key=key)


_QUESTION_READERS: dict[str, Callable[[_Reader, dict], Question | None]] = {
    "single": _single,
    "multiple": _multiple,
    "true_false": _true_false,
    "ordering": _ordering,
    "matching": _matching,
}


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
    reader = _Reader(problems, relative, meta, "front matter.")
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


def _read_objectives(lesson: _Reader) -> list[Objective] | None:
    """Read the front matter's objectives: a list of {id, text}, ids unique in the lesson."""
    raw = lesson.data.get("objectives")
    if not isinstance(raw, list) or not 1 <= len(raw) <= 8:
        lesson.problem("objectives", f"must be a list of 1 to 8 objectives (id and text), got {_describe(raw)}")
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


def _question_objectives(reader: _Reader, lesson: Lesson) -> tuple[str, ...] | None:
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
    bank = _Reader(problems, relative, data)
    if not bank.ok:
        return ()
    bank.reject_unknown({"lesson", "questions"})
    named = bank.identifier("lesson")
    if named is not None and named != lesson.id:
        bank.problem("lesson", f"is {named!r} but the file is named for {lesson.id!r}")
    raw_questions = bank.data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        bank.problem("questions", f"must be a non-empty list, got {_describe(raw_questions)}")
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
        if question_type is not None and question_type not in QUESTION_TYPES:
            reader.problem("type", f"must be one of {', '.join(QUESTION_TYPES)}, got {question_type!r}")
            question_type = None
        prompt = reader.text("prompt")
        explanation = reader.text("explanation")
        source = reader.text("source")
        anchor = find_passage(lesson.blocks, source) if source else None
        if source and anchor is None:
            reader.problem("source", f"not found word for word in content/{lesson.id}.md: {_describe(source)}")
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
        question = _QUESTION_READERS[question_type](reader, common)
        if question is not None:
            questions.append(question)
    return tuple(questions)


def _load_quiz_settings(course: _Reader) -> QuizSettings | None:
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


def _load_readiness(course: _Reader, lesson_ids: list[str]) -> ReadinessSettings | None:
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
        readiness.problem("bands", f"must be a non-empty list, got {_describe(raw_bands)}")
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
    course = _Reader(problems, "content/course.yaml", data)
    if not course.ok:
        raise CoursePackError(problems)
    course.reject_unknown({"id", "title", "description", "lessons", "quiz", "readiness"})
    course_id = course.identifier("id")
    title = course.text("title")
    description = course.text("description", required=False)
    lesson_ids = course.text_list("lessons", 1, 1000) or []
    for position, lesson_id in enumerate(lesson_ids):
        if not _ID.match(lesson_id):
            course.problem(f"lessons[{position}]", f"must be lowercase letters, digits, '-' or '_', got {lesson_id!r}")
        elif lesson_ids.index(lesson_id) != position:
            course.problem(f"lessons[{position}]", f"{lesson_id!r} is listed twice")
    lesson_ids = [lesson_id for lesson_id in dict.fromkeys(lesson_ids) if _ID.match(lesson_id)]
    quiz = _load_quiz_settings(course)
    readiness = _load_readiness(course, lesson_ids)
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
    )
