"""Every path of the app that bench/ and scripts/ request, in one place.

Course pages sit under /courses/<course_id>/ (the old paths answer 301); the bench measures the
course it builds its dataset for, the repository's own pack.
"""

from __future__ import annotations

import re

COURSE = "/courses/medical-office-manager"  # prefix of the course-scoped paths

SIGN_IN = "/account/login"
OUTLINE = f"{COURSE}/"
ROSTER_CSV = f"{COURSE}/instructor/export/roster.csv"
_ATTEMPT = re.compile(r"/attempts/(\d+)")


def dashboard() -> str:
    return f"{COURSE}/dashboard"


def lesson(lesson_id: str) -> str:
    return f"{COURSE}/lessons/{lesson_id}"


def quiz(lesson_id: str) -> str:
    return f"{COURSE}/quizzes/{lesson_id}"


def start_attempt(lesson_id: str) -> str:
    return f"{COURSE}/quizzes/{lesson_id}/attempts"


def attempt(attempt_id: int) -> str:
    return f"{COURSE}/attempts/{attempt_id}"


def result(attempt_id: int) -> str:
    return f"{COURSE}/attempts/{attempt_id}/result"


def attempt_id(path: str) -> int | None:
    """The attempt id of an attempt page's path (a redirect's Location), or None."""
    found = _ATTEMPT.search(path)
    return int(found.group(1)) if found and path.endswith(found.group(0)) else None


def roster(query: str = "") -> str:
    return f"{COURSE}/instructor/" + (f"?{query}" if query else "")


def learner_review(enrollment_id: int) -> str:
    return f"{COURSE}/instructor/learners/{enrollment_id}"


def quiz_analysis(lesson_id: str) -> str:
    return f"{COURSE}/instructor/quizzes/{lesson_id}"


def read_paths(subjects, lesson_id: str) -> list[tuple[str, str, str, str]]:
    """(key, label, who, path) of every page measured with wrk; subjects is a dataset.Subjects."""
    return [
        ("outline", f"outline (anonymous GET {OUTLINE})", "anonymous", OUTLINE),
        ("lesson", f"lesson page (learner, {lesson(lesson_id)})", "learner", lesson(lesson_id)),
        ("dashboard", f"learner dashboard ({dashboard()})", "learner", dashboard()),
        ("roster", "roster p1 by readiness (instructor)", "instructor", roster("sort=readiness&dir=desc")),
        (
            "review",
            f"learner review ({subjects.busy_attempts} attempts)",
            "instructor",
            learner_review(subjects.busy_enrollment_id),
        ),
        ("analysis", f"quiz analysis ({quiz_analysis(lesson_id)})", "instructor", quiz_analysis(lesson_id)),
    ]
