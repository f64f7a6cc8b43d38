"""The instructor workspace: access, roster, learner review, quiz analysis and exports."""

import csv
import io
import re

import pytest

from lms.extensions import db
from lms.models import User
from lms.services.analysis import cached_quiz_analysis, quiz_analysis
from lms.services.roster import RosterFilters, iter_roster, narrows_learners, roster_page, roster_summary

from ..conftest import MINI_PACK
from ..helpers import counting


@pytest.fixture
def app_config():
    return {"COURSE_PACK_PATH": str(MINI_PACK)}


def instructor_paths(enrollment_id: int) -> list[str]:
    return [
        "/courses/mini-course/instructor/",
        f"/courses/mini-course/instructor/learners/{enrollment_id}",
        "/courses/mini-course/instructor/quizzes",
        "/courses/mini-course/instructor/quizzes/alpha",
        "/courses/mini-course/instructor/quizzes/alpha?basis=all",
        "/courses/mini-course/instructor/export/roster.csv",
        "/courses/mini-course/instructor/export/attempts.csv",
    ]


def test_instructor_pages_by_role(app, learner, learner_client, instructor_client, enrollment_of):
    paths = instructor_paths(enrollment_of(learner).id)
    anonymous = app.test_client()
    for path in paths:
        assert instructor_client.get(path).status_code == 200, path
        assert learner_client.get(path).status_code == 403, path
        response = anonymous.get(path)
        assert response.status_code == 302 and response.location.startswith("/account/login"), path


def test_instructors_see_the_nav_link_and_learners_do_not(learner_client, instructor_client):
    assert 'href="/courses/mini-course/instructor/"' in instructor_client.get("/courses/mini-course/").get_data(
        as_text=True
    )
    assert 'href="/courses/mini-course/instructor/"' not in learner_client.get("/courses/mini-course/").get_data(
        as_text=True
    )


@pytest.fixture
def cohort(make_user, learner_client, app, quiz):
    """Four learners: one ready, one part way, one failed, one never started."""
    clients = {}
    for name in ("Ada Ready", "Bo Partway", "Cy Failed", "Di Idle"):
        user = make_user(name, f"{name.split()[1].lower()}@example.org")
        clients[name] = app.test_client(user=user)
    ready = clients["Ada Ready"]
    for lesson_id in ("alpha", "beta"):
        ready.post(f"/courses/mini-course/lessons/{lesson_id}/read")
        quiz.take(ready, lesson_id)
    clients["Bo Partway"].post("/courses/mini-course/lessons/alpha/read")
    quiz.take(clients["Bo Partway"], "alpha", correct=4)
    quiz.take(clients["Cy Failed"], "alpha", correct=1)
    return clients


def table_rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<a href="/courses/mini-course/instructor/learners/\d+[^"]*">([^<]+)</a>', body)


def test_roster_lists_learners_sorted_by_readiness(instructor_client, cohort):
    page = instructor_client.get("/courses/mini-course/instructor/").get_data(as_text=True)
    names = table_rows(page)
    assert names[:3] == ["Ada Ready", "Bo Partway", "Cy Failed"]
    assert set(names) == {"Ada Ready", "Bo Partway", "Cy Failed", "Di Idle", "Ada Learner"}
    assert '<span class="stat-label">Enrolled</span> <span class="stat-value">5</span>' in page
    assert '<span class="stat-label">Started</span> <span class="stat-value">3</span>' in page
    assert '<span class="stat-label">Complete</span> <span class="stat-value">1</span>' in page
    assert '<span class="stat-label">Ready</span> <span class="stat-value">1</span>' in page
    assert "Readiness scores: 0–9: 2; 10–19: 1; 20–29: 0; 30–39: 0; 40–49: 1;" in page, "the chart text"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?sort=name&dir=asc", ["Ada Learner", "Ada Ready", "Bo Partway", "Cy Failed", "Di Idle"]),
        ("?sort=name&dir=desc", ["Di Idle", "Cy Failed", "Bo Partway", "Ada Ready", "Ada Learner"]),
        ("?band=Ready", ["Ada Ready"]),
        ("?status=complete", ["Ada Ready"]),
        ("?status=not-started&sort=name&dir=asc", ["Ada Learner", "Di Idle"]),
        ("?status=in-progress&sort=name&dir=asc", ["Bo Partway", "Cy Failed"]),
        ("?q=PARTWAY", ["Bo Partway"]),
        ("?q=failed%40example", ["Cy Failed"]),
        ("?q=%25", []),
        ("?q=ada+ready", ["Ada Ready"]),
        ("?q=ready%20%20ADA", ["Ada Ready"]),
        ("?q=ready+bo", []),
        ("?score=0&sort=name&dir=asc", ["Ada Learner", "Di Idle"]),
        ("?sort=section:alpha&dir=desc", ["Ada Ready", "Bo Partway", "Cy Failed", "Di Idle", "Ada Learner"][:3]),
    ],
)
def test_roster_sorts_filters_and_searches(instructor_client, cohort, query, expected):
    names = table_rows(instructor_client.get(f"/courses/mini-course/instructor/{query}").get_data(as_text=True))
    assert names[: len(expected)] == expected
    if not query.startswith("?sort=section"):
        assert len(names) == len(expected)


@pytest.mark.parametrize(
    "query",
    ["?sort=password_hash", "?dir=sideways", "?band=Expert", "?status=gone", "?page=0", "?per_page=7", "?page=x"],
)
def test_roster_refuses_unknown_parameters(instructor_client, query):
    assert instructor_client.get(f"/courses/mini-course/instructor/{query}").status_code == 400


@pytest.mark.parametrize(
    ("filters", "narrows"),
    [
        (RosterFilters(), False),
        (RosterFilters(membership="all", sort="name", descending=False), False),
        (RosterFilters(membership="left"), False),
        (RosterFilters(search="  "), False),
        (RosterFilters(search="ada"), True),
        (RosterFilters(band="Ready"), True),
        (RosterFilters(status="in-progress"), True),
        (RosterFilters(status="out-of-attempts"), True),
        (RosterFilters(score_band=0), True),
    ],
)
def test_an_unfiltered_rosters_total_is_the_summarys_count(app, cohort, course, filters, narrows):
    # The roster page takes its total from the summary when the filters narrow nothing more.
    with app.app_context():
        counted = roster_page(course, filters, 1, 100).total
        assert counted == len(list(iter_roster(course, filters)))
        assert narrows_learners(course, filters) is narrows
        if not narrows:
            assert roster_summary(course, filters.cohort_ids, filters.membership).enrolled == counted


def test_the_unfiltered_roster_counts_no_learners_twice(app, instructor_client, cohort):
    def statements(query: str) -> int:
        with counting(db.engine) as seen:
            assert instructor_client.get(f"/courses/mini-course/instructor/{query}").status_code == 200
        return len(seen)

    instructor_client.get("/courses/mini-course/instructor/")  # the session's first request writes once
    assert statements("?sort=name") == statements("?band=Ready") - 1


def test_roster_paginates(app, instructor_client, make_user):
    for n in range(30):
        make_user(f"Learner {n:02d}", f"l{n:02d}@example.org")
    first = instructor_client.get("/courses/mini-course/instructor/?per_page=25&sort=name&dir=asc").get_data(
        as_text=True
    )
    second = instructor_client.get("/courses/mini-course/instructor/?per_page=25&sort=name&dir=asc&page=2").get_data(
        as_text=True
    )
    assert len(table_rows(first)) == 25 and len(table_rows(second)) == 5
    assert table_rows(second)[-1] == "Learner 29"
    assert "Page 2 of 2" in second and 'rel="prev"' in second
    beyond = instructor_client.get("/courses/mini-course/instructor/?per_page=25&page=99").get_data(as_text=True)
    assert "Page 2 of 2" in beyond


def test_learner_review_shows_answers_against_the_key_and_the_same_readiness(
    app, instructor_client, cohort, enrollment_of
):
    user = db.session.execute(db.select(User).where(User.name == "Bo Partway")).scalar_one()
    enrollment = enrollment_of(user)
    page = instructor_client.get(f"/courses/mini-course/instructor/learners/{enrollment.id}").get_data(as_text=True)
    dashboard = cohort["Bo Partway"].get("/courses/mini-course/dashboard").get_data(as_text=True)

    def readiness(html):
        return re.search(r'big-number">(\d+)<.*?class="band[^"]*">([^<]+)<', html, re.S).groups()

    assert readiness(page) == readiness(dashboard)
    assert "Attempt 1" in page and "Key" in page and "Answer given" in page
    assert page.count('badge-success">Correct') >= 4


def test_learner_review_of_unknown_learner_is_404(instructor_client):
    assert instructor_client.get("/courses/mini-course/instructor/learners/999999").status_code == 404


def parse_csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_roster_csv_matches_the_page(instructor_client, cohort, course):
    response = instructor_client.get("/courses/mini-course/instructor/export/roster.csv?sort=name&dir=asc")
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="mini-course-roster-\d{4}-\d{2}-\d{2}\.csv"', disposition)
    rows = parse_csv(response)
    page = instructor_client.get("/courses/mini-course/instructor/?sort=name&dir=asc").get_data(as_text=True)
    assert [row["name"] for row in rows] == table_rows(page)
    ada = next(row for row in rows if row["name"] == "Ada Ready")
    assert (ada["score_alpha"], ada["score_beta"], ada["readiness"], ada["band"]) == (
        "100.00",
        "100.00",
        "100.00",
        "Ready",
    )
    assert (ada["lessons_completed"], ada["lessons_total"], ada["status"]) == ("2", "2", "complete")
    idle = next(row for row in rows if row["name"] == "Di Idle")
    assert idle["score_alpha"] == "" and idle["status"] == "not-started"
    assert [
        r["name"]
        for r in parse_csv(instructor_client.get("/courses/mini-course/instructor/export/roster.csv?band=Ready"))
    ] == ["Ada Ready"]


def test_attempts_csv_has_every_submitted_attempt(instructor_client, cohort):
    rows = parse_csv(instructor_client.get("/courses/mini-course/instructor/export/attempts.csv"))
    assert len(rows) == 4
    assert {row["lesson"] for row in rows} == {"alpha", "beta"}
    assert all(int(row["duration_seconds"]) >= 0 and row["passed"] in ("yes", "no") for row in rows)


def test_csv_cells_cannot_run_as_formulas(instructor_client, make_user):
    make_user('=HYPERLINK("http://evil")', "evil@example.org")
    rows = parse_csv(instructor_client.get("/courses/mini-course/instructor/export/roster.csv"))
    assert rows[0]["name"].startswith("'=")


# Five attempts at three questions, by hand in tests/domain/test_statistics.py:
# rows are attempts, columns the credit on alpha-red, alpha-green-false and alpha-green.
GRID = [(1, 1, 1), (1, 1, 0), (1, 0, 0), (0, 1, 0), (0, 0, 0)]


@pytest.fixture
def graded_grid(make_user, enrollment_of, make_attempt, course):
    green = course.question("alpha-green")
    purple = next(o.id for o in green.options if o.text == "Purple")
    for index, (red, not_green, green_right) in enumerate(GRID):
        enrollment = enrollment_of(make_user(f"Grid {index}", f"grid{index}@example.org"))
        make_attempt(
            enrollment,
            "alpha",
            [
                ("alpha-red", bool(red), float(red)),
                ("alpha-green-false", not not_green, float(not_green)),
                ("alpha-green", green.answer_id if green_right else purple, float(green_right)),
            ],
        )


def test_quiz_analysis_matches_hand_computed_values(app, graded_grid, course):
    analysis = quiz_analysis(course, course.lesson("alpha"), "first")
    assert analysis.attempts == 5
    assert analysis.mean == pytest.approx((100 + 66.67 + 33.33 + 33.33 + 0) / 5)
    assert analysis.median == pytest.approx(33.33)
    assert analysis.alpha == pytest.approx(100 * 1.5 * (1 - 0.8 / 1.3))
    red = next(item for item in analysis.questions if item.question.id == "alpha-red")
    assert red.stats.facility == pytest.approx(60)
    assert red.stats.sd == pytest.approx(100 * 0.3**0.5)
    assert red.stats.discrimination == pytest.approx(100 * 0.15 / (0.3 * 0.7) ** 0.5)
    assert red.stats.efficiency == pytest.approx(37.5)
    green = next(item for item in analysis.questions if item.question.id == "alpha-green")
    counts = {option.label: option.count for option in green.options}
    assert counts == {"Green": 1, "Purple": 4, "Orange": 0}
    assert {q.id for q in analysis.unused_questions} == {"alpha-primaries", "alpha-days", "alpha-match"}


def test_quiz_analysis_page_shows_the_numbers_and_help(instructor_client, graded_grid):
    page = instructor_client.get("/courses/mini-course/instructor/quizzes/alpha").get_data(as_text=True)
    assert "<dt>Attempts</dt><dd>5</dd>" in page
    assert "32.7" in page and "37.5" in page and "57.7" in page
    assert "How to read these numbers" in page and "Discriminative efficiency" in page
    assert instructor_client.get("/courses/mini-course/instructor/quizzes/alpha?basis=sometimes").status_code == 400
    assert instructor_client.get("/courses/mini-course/instructor/quizzes/nope").status_code == 404


def test_first_attempt_basis_ignores_retakes(app, graded_grid, course, enrollment_of, make_user, make_attempt):
    enrollment = enrollment_of(make_user("Retaker", "retaker@example.org"))
    make_attempt(enrollment, "alpha", [("alpha-red", False, 0.0)], number=1)
    make_attempt(enrollment, "alpha", [("alpha-red", True, 1.0)], number=2)
    assert quiz_analysis(course, course.lesson("alpha"), "first").attempts == 6
    assert quiz_analysis(course, course.lesson("alpha"), "all").attempts == 7


def test_cached_analysis_is_recomputed_after_a_new_attempt(
    app, graded_grid, course, enrollment_of, make_user, make_attempt
):
    lesson = course.lesson("alpha")
    first = cached_quiz_analysis(course, lesson, "first")
    with counting(db.engine) as statements:
        again = cached_quiz_analysis(course, lesson, "first")
    assert again == first and len(statements) == 1, "unchanged attempts: the watermark, then the cache"
    make_attempt(enrollment_of(make_user("Late", "late@example.org")), "alpha", [("alpha-red", True, 1.0)])
    fresh = cached_quiz_analysis(course, lesson, "first")
    assert fresh.attempts == first.attempts + 1


def test_staff_attempts_count_nowhere(instructor_client, learner_client, quiz):
    """An instructor may try a quiz; rosters, analysis and exports count learners only."""
    quiz.take(learner_client, "alpha", correct=2)
    quiz.take(instructor_client, "alpha")
    analysis = instructor_client.get("/courses/mini-course/instructor/quizzes/alpha").get_data(as_text=True)
    assert "<dt>Attempts</dt><dd>1</dd>" in analysis
    rows = list(
        csv.DictReader(io.StringIO(instructor_client.get("/courses/mini-course/instructor/export/attempts.csv").text))
    )
    assert [row["name"] for row in rows] == ["Ada Learner"]
    roster = instructor_client.get("/courses/mini-course/instructor/").get_data(as_text=True)
    assert (
        '<span class="stat-label">Enrolled</span> <span class="stat-value">1</span>' in roster
        and ">Irene Instructor</a>" not in roster
    )
