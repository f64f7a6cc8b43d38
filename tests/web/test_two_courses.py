"""Two packs side by side in one catalog: separate enrollments, attempts, rosters, analysis and exports."""

import csv
import io
import re

import pytest

from lms.extensions import db
from lms.models import Attempt, Enrollment
from lms.services.enrollments import enroll, set_role

from ..helpers import CATALOG, QuizAnswers


@pytest.fixture
def app_config():
    return {"COURSE_PACK_PATH": str(CATALOG)}


@pytest.fixture
def courses(app):
    catalog = app.extensions["lms.catalog"]
    return catalog["mini-course"], catalog["second-course"]


def take(client, course, lesson_id: str, correct: int | None = None) -> Attempt:
    """Start and submit an attempt at a course's quiz through the routes."""
    start = client.post(f"/courses/{course.id}/quizzes/{lesson_id}/attempts")
    assert start.status_code == 303, start.get_data(as_text=True)[:300]
    attempt = db.session.get(Attempt, int(start.location.rsplit("/", 1)[-1]))
    data = QuizAnswers(course, attempt).form(correct=correct)
    assert client.post(f"/courses/{course.id}/attempts/{attempt.id}", data=data).status_code == 303
    db.session.expire_all()
    return db.session.get(Attempt, attempt.id)


@pytest.fixture
def world(app, courses, make_user):
    """Ann learns in both courses, Ben only in the mini course, Cat only in the second; Sam teaches the second."""
    mini, second = courses
    ann, ben = make_user("Ann Both", "ann@example.org"), make_user("Ben Mini", "ben@example.org")
    cat = make_user("Cat Second", "cat@example.org", enrolled=False)
    sam = make_user("Sam Second", "sam@example.org", enrolled=False)
    for user in (ann, cat):
        enroll(user.id, second)
    set_role(sam.id, second, "instructor")
    db.session.commit()
    clients = {name: app.test_client(user=user) for name, user in (("ann", ann), ("ben", ben), ("cat", cat))}
    attempts = {
        "ann-mini": take(clients["ann"], mini, "alpha"),
        "ann-second": take(clients["ann"], second, "alpha", correct=1),
        "ben-mini": take(clients["ben"], mini, "alpha", correct=2),
        "cat-second": take(clients["cat"], second, "alpha"),
    }
    return {"clients": clients, "attempts": attempts, "sam": app.test_client(user=sam), "users": (ann, ben, cat)}


def test_attempts_carry_their_course(world, courses):
    attempts = world["attempts"]
    assert {name: attempt.course_id for name, attempt in attempts.items()} == {
        "ann-mini": "mini-course",
        "ann-second": "second-course",
        "ben-mini": "mini-course",
        "cat-second": "second-course",
    }
    # The other pack's alpha has other questions: each attempt drew from its own course.
    mini_ids = {item["q"] for item in attempts["ann-mini"].layout}
    second_ids = {item["q"] for item in attempts["ann-second"].layout}
    mini, second = courses
    assert mini_ids <= {q.id for q in mini.lesson("alpha").questions}
    assert second_ids <= {q.id for q in second.lesson("alpha").questions}


def test_an_attempt_of_another_course_is_404(world):
    ann, cat = world["clients"]["ann"], world["clients"]["cat"]
    mine_elsewhere = world["attempts"]["ann-mini"]
    assert ann.get(f"/courses/mini-course/attempts/{mine_elsewhere.id}/result").status_code == 200
    assert ann.get(f"/courses/second-course/attempts/{mine_elsewhere.id}/result").status_code == 404
    assert ann.get(f"/courses/second-course/attempts/{mine_elsewhere.id}").status_code == 404
    # Someone else's attempt in the same course stays a 403.
    assert ann.get(f"/courses/second-course/attempts/{world['attempts']['cat-second'].id}/result").status_code == 403
    assert cat.get(f"/courses/second-course/attempts/{mine_elsewhere.id}/result").status_code == 404


def test_the_database_refuses_an_attempt_whose_course_is_not_its_enrollments(world, app):
    from sqlalchemy.exc import IntegrityError

    attempt = world["attempts"]["ben-mini"]
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(Attempt.__table__.update().where(Attempt.id == attempt.id).values(course_id="second-course"))
    db.session.rollback()


def test_rosters_are_per_course(world, admin):
    sam = world["sam"]
    second = sam.get("/courses/second-course/instructor/").get_data(as_text=True)
    assert "Ann Both" in second and "Cat Second" in second and "Ben Mini" not in second
    assert (
        ">Sam Second</a>" not in second
        and '<span class="stat-label">Enrolled</span> <span class="stat-value">2</span>' in second
    ), "staff are not learners"
    assert sam.get("/courses/mini-course/instructor/").status_code == 403, "an instructor of one course only"


def test_a_learner_of_another_course_is_404_on_the_review_page(world, enrollment_of):
    ben = world["users"][1]
    ben_mini = enrollment_of(ben)
    assert world["sam"].get(f"/courses/second-course/instructor/learners/{ben_mini.id}").status_code == 404


def test_analysis_and_exports_are_per_course(world):
    sam = world["sam"]
    analysis = sam.get("/courses/second-course/instructor/quizzes/alpha").get_data(as_text=True)
    assert "<dt>Attempts</dt><dd>2</dd>" in analysis
    rows = list(csv.DictReader(io.StringIO(sam.get("/courses/second-course/instructor/export/attempts.csv").text)))
    assert sorted(row["name"] for row in rows) == ["Ann Both", "Cat Second"]
    roster = list(csv.DictReader(io.StringIO(sam.get("/courses/second-course/instructor/export/roster.csv").text)))
    assert sorted(row["name"] for row in roster) == ["Ann Both", "Cat Second"]
    assert "score_gamma" in roster[0] and "score_beta" not in roster[0]
    counts = sam.get("/courses/second-course/instructor/quizzes").get_data(as_text=True)
    alpha_row = counts.split('href="/courses/second-course/instructor/quizzes/alpha"', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r"<td>([^<]*)</td>", alpha_row)[1] == "2", "submitted attempts"


def test_an_admin_sees_every_course(world, admin, app):
    client = app.test_client(user=admin)
    for course_id, learners in (("mini-course", 2), ("second-course", 2)):
        page = client.get(f"/courses/{course_id}/instructor/").get_data(as_text=True)
        assert f'<span class="stat-label">Enrolled</span> <span class="stat-value">{learners}</span>' in page


def test_enrollments_are_per_course(world):
    ann = world["users"][0]
    rows = db.session.execute(db.select(Enrollment.course_id).where(Enrollment.user_id == ann.id)).scalars()
    assert sorted(rows) == ["mini-course", "second-course"]
