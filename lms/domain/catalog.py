"""The catalog: every course pack under one root, validated together.

A root holding `content/course.yaml` is a catalog of one (the original layout). A root holding
`courses/<course_id>/{content,quizzes}` holds many; each folder's name must be its pack's id.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from .course import Course
from .loading import CoursePackError, Problem, load_course_pack

COURSES_FOLDER = "courses"


@dataclass(frozen=True)
class Catalog(Mapping[str, Course]):
    """Courses by id, in catalog order (folder names sorted); the first is the default course."""

    courses: tuple[Course, ...]

    def __post_init__(self) -> None:
        if not self.courses:
            raise ValueError("a catalog holds at least one course")
        object.__setattr__(self, "_by_id", {course.id: course for course in self.courses})

    def __getitem__(self, course_id: str) -> Course:
        return self._by_id[course_id]  # type: ignore[attr-defined]

    def __contains__(self, course_id: object) -> bool:
        return course_id in self._by_id  # type: ignore[attr-defined]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)  # type: ignore[attr-defined]

    def __len__(self) -> int:
        return len(self.courses)

    @property
    def default(self) -> Course:
        """The course old, course-less addresses lead to: the only one, or the first."""
        return self.courses[0]


def _prefixed(problems: tuple[Problem, ...], folder: str) -> list[Problem]:
    return [replace(problem, file=f"{folder}/{problem.file}") for problem in problems]


def load_catalog(root: Path | str) -> Catalog:
    """Load every pack under root; raise CoursePackError listing every problem of every pack."""
    root = Path(root)
    if (root / "content" / "course.yaml").is_file() or not (root / COURSES_FOLDER).is_dir():
        # A single pack; a root with neither layout gets the single pack's "missing file" problem.
        return Catalog((load_course_pack(root),))
    problems: list[Problem] = []
    courses: list[Course] = []
    folders = sorted(path for path in (root / COURSES_FOLDER).iterdir() if path.is_dir())
    if not folders:
        raise CoursePackError([Problem(COURSES_FOLDER, "", "holds no course folder (courses/<course_id>/content)")])
    for folder in folders:
        relative = f"{COURSES_FOLDER}/{folder.name}"
        try:
            course = load_course_pack(folder)
        except CoursePackError as error:
            problems += _prefixed(error.problems, relative)
            continue
        if course.id != folder.name:
            problems.append(
                Problem(f"{relative}/content/course.yaml", "id", f"must equal the folder name {folder.name!r}")
            )
            continue
        courses.append(course)
    if problems:
        raise CoursePackError(problems)
    return Catalog(tuple(courses))
