"""The quiz analysis index (mean, pass rate, flags per quiz), flagged questions first, and objectives."""

import re

import pytest

from lms.extensions import db
from lms.services.analysis import quiz_analysis, quiz_summaries

from ..conftest import MINI_PACK
from ..helpers import counting


@pytest.fixture
def app_config():
    return {"COURSE_PACK_PATH": str(MINI_PACK)}


# Five attempts at three colour questions (red, green-false, green): credit 1 or 0 per cell.
GRID = [(1, 1, 1), (1, 1, 0), (1, 0, 0), (0, 1, 0), (0, 0, 0)]


@pytest.fixture
def grid(make_user, enrollment_of, make_attempt, course):
    green = course.question("alpha-green")
    purple = next(o.id for o in green.options if o.text == "Purple")

    def make(rows, prefix="grid"):
        for index, (red, not_green, green_right) in enumerate(rows):
            enrollment = enrollment_of(make_user(f"{prefix} {index}", f"{prefix}{index}@example.org"))
            make_attempt(
                enrollment,
                "alpha",
                [
                    ("alpha-red", bool(red), float(red)),
                    ("alpha-green-false", not not_green, float(not_green)),
                    ("alpha-green", green.answer_id if green_right else purple, float(green_right)),
                ],
            )

    return make


def test_objectives_show_the_share_of_answers_right(grid, course):
    grid(GRID)
    analysis = quiz_analysis(course, course.lesson("alpha"))
    by_id = {row.objective.id: row for row in analysis.objectives}
    assert by_id["colours"].answers == 15 and by_id["colours"].right == pytest.approx(100 * 7 / 15)
    assert by_id["colours"].items == 5
    assert by_id["days"].answers == 0 and by_id["days"].right is None and by_id["days"].items == 1


def test_flagged_questions_come_first_and_the_index_counts_them(grid, course, instructor_client, app):
    # 25 attempts where everyone gets red right (very easy) and green wrong (very hard).
    grid([(1, 1, 0)] * 10 + [(1, 0, 0)] * 15)
    analysis = quiz_analysis(course, course.lesson("alpha"))
    flags = [bool(item.flags) for item in analysis.questions]
    assert flags == sorted(flags, reverse=True) and any(flags) and not all(flags)
    summaries = quiz_summaries(course)
    assert summaries["alpha"].flagged == analysis.flagged
    assert summaries["alpha"].attempts == 25 and summaries["alpha"].mean == pytest.approx(analysis.mean)
    assert summaries["alpha"].pass_rate == pytest.approx(100 * 10 / 25)  # 2 of 3 right passes at 60 %
    assert summaries["beta"].attempts == 0 and summaries["beta"].mean is None
    page = instructor_client.get("/courses/mini-course/instructor/quizzes/alpha").get_data(as_text=True)
    body = page.split('class="table analysis-table"', 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr( class=\"is-flagged\")?>", body.split("<tbody>", 1)[1])
    assert rows == sorted(rows, reverse=True) and rows[0]
    assert "Answered right" in page and "Name the three primary colours." in page
    index = instructor_client.get("/courses/mini-course/instructor/quizzes").get_data(as_text=True)
    assert f"{analysis.flagged} flagged" in index and "40%" in index


def test_the_index_costs_the_same_statements_for_more_quizzes_and_attempts(grid, instructor_client, app):
    with counting(db.engine) as few:
        instructor_client.get("/courses/mini-course/instructor/quizzes")
    grid(GRID * 4)
    with counting(db.engine) as many:
        instructor_client.get("/courses/mini-course/instructor/quizzes")
    assert len(few) == len(many)
