"""Cohorts: codes and dates on enrollment, the cohort page, filters, and staff limited to some cohorts."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from lms.extensions import db
from lms.models import Cohort, Enrollment
from lms.services.cohorts import CohortDetails, create_cohort, ensure_default_cohort, limit_staff
from lms.services.enrollments import enroll

from ..conftest import MINI_PACK


@pytest.fixture
def app_config():
    return {"COURSE_PACK_PATH": str(MINI_PACK)}


def cohort(course, slug: str, code: str | None = None, **dates) -> Cohort:
    made = create_cohort(course.id, CohortDetails(name=slug.title(), slug=slug, enrollment_code=code, **dates))
    db.session.commit()
    return made


def cohort_of(user) -> str:
    return db.session.execute(
        db.select(Cohort.slug).join(Enrollment, Enrollment.cohort_id == Cohort.id).where(Enrollment.user_id == user.id)
    ).scalar_one()


def test_every_enrollment_has_a_cohort_the_default_one_first(learner):
    assert cohort_of(learner) == "default"


def test_a_cohorts_code_joins_that_cohort(app, course, make_user):
    cohort(course, "spring", code="SPRING26")
    user = make_user(enrolled=False)
    client = app.test_client(user=user)
    assert client.post("/courses/mini-course/enroll", data={"code": " SPRING26 "}).status_code == 302
    assert cohort_of(user) == "spring"


def test_without_a_code_learners_join_the_default_cohort(app, course, make_user):
    cohort(course, "spring", code="SPRING26")
    user = make_user(enrolled=False)
    assert app.test_client(user=user).post("/courses/mini-course/enroll").status_code == 302
    assert cohort_of(user) == "default"


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ({"closes_at": datetime(2020, 1, 1, tzinfo=UTC)}, "closed to new enrollments on 01 Jan 2020"),
        ({"opens_at": datetime.now(UTC) + timedelta(days=3)}, "does not take enrollments yet"),
    ],
)
def test_a_cohort_outside_its_dates_refuses_new_enrollments(app, course, make_user, dates, message):
    cohort(course, "late", code="LATE", **dates)
    user = make_user(enrolled=False)
    client = app.test_client(user=user)
    response = client.post("/courses/mini-course/enroll", data={"code": "LATE"})
    assert response.status_code == 302
    assert message in client.get("/courses/mini-course/").get_data(as_text=True)
    assert db.session.execute(db.select(Enrollment).where(Enrollment.user_id == user.id)).first() is None


def test_the_enrollment_code_setting_becomes_the_default_cohorts_code(app, course):
    app.config["ENROLLMENT_CODE"] = "OLDCODE"
    default = ensure_default_cohort(course.id, app.config["ENROLLMENT_CODE"], datetime.now(UTC))
    assert default.enrollment_code == "OLDCODE"


@pytest.fixture
def staffed(app, course, make_user, make_staff):
    """Learners in two cohorts, x and y; an instructor limited to x; an assistant and an instructor of all."""
    x, y = cohort(course, "x", code="X"), cohort(course, "y", code="Y")
    users = {}
    for name, code in (("Xena X", "X"), ("Xavi X", "X"), ("Yuri Y", "Y")):
        users[name] = make_user(name, f"{name.split()[0].lower()}@example.org", enrolled=False)
        enroll(users[name].id, course, code)
    limited = make_staff("Lim Ited", "limited@example.org")
    limit_staff(db.session.execute(db.select(Enrollment).where(Enrollment.user_id == limited.id)).scalar_one(), [x])
    db.session.commit()
    return {
        "x": x,
        "y": y,
        "users": users,
        "limited": app.test_client(user=limited),
        "enrollment": lambda name: db.session.execute(
            db.select(Enrollment).where(Enrollment.user_id == users[name].id)
        ).scalar_one(),
    }


def test_the_roster_filters_by_cohort(staffed, instructor_client):
    page = instructor_client.get("/courses/mini-course/instructor/?cohort=y").get_data(as_text=True)
    assert "Yuri Y" in page and "Xena X" not in page
    all_of_them = instructor_client.get("/courses/mini-course/instructor/").get_data(as_text=True)
    assert "Yuri Y" in all_of_them and "Xena X" in all_of_them
    assert instructor_client.get("/courses/mini-course/instructor/?cohort=nope").status_code == 400


def test_an_instructor_of_cohort_x_cannot_see_cohort_y(staffed, quiz, app):
    limited = staffed["limited"]
    roster = limited.get("/courses/mini-course/instructor/").get_data(as_text=True)
    assert "Xena X" in roster and "Xavi X" in roster and "Yuri Y" not in roster
    assert '<span class="stat-label">Enrolled</span> <span class="stat-value">2</span>' in roster
    assert limited.get("/courses/mini-course/instructor/?cohort=y").status_code == 400, "not even offered"
    assert limited.get("/courses/mini-course/instructor/export/attempts.csv?cohort=y").status_code == 404
    yuri = staffed["enrollment"]("Yuri Y")
    xena = staffed["enrollment"]("Xena X")
    assert limited.get(f"/courses/mini-course/instructor/learners/{yuri.id}").status_code == 404
    assert limited.get(f"/courses/mini-course/instructor/learners/{xena.id}").status_code == 200
    assert limited.get(f"/courses/mini-course/instructor/cohorts/{staffed['y'].id}").status_code == 404

    quiz.take(app.test_client(user=staffed["users"]["Yuri Y"]), "alpha")
    quiz.take(app.test_client(user=staffed["users"]["Xena X"]), "alpha", correct=1)
    exported = csv.DictReader(io.StringIO(limited.get("/courses/mini-course/instructor/export/roster.csv").text))
    assert sorted(row["name"] for row in exported) == ["Xavi X", "Xena X"]
    attempts = csv.DictReader(io.StringIO(limited.get("/courses/mini-course/instructor/export/attempts.csv").text))
    assert [row["name"] for row in attempts] == ["Xena X"]
    analysis = limited.get("/courses/mini-course/instructor/quizzes/alpha").get_data(as_text=True)
    assert "<dt>Attempts</dt><dd>1</dd>" in analysis
    index = limited.get("/courses/mini-course/instructor/quizzes").get_data(as_text=True)
    alpha_row = index.split('href="/courses/mini-course/instructor/quizzes/alpha"', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r"<td>([^<]*)</td>", alpha_row)[:4] == ["6", "1", "1", "20%"], "Xena's first attempt only"


def test_analysis_filters_by_cohort(staffed, quiz, app, instructor_client):
    quiz.take(app.test_client(user=staffed["users"]["Yuri Y"]), "alpha")
    quiz.take(app.test_client(user=staffed["users"]["Xena X"]), "alpha", correct=1)
    every = instructor_client.get("/courses/mini-course/instructor/quizzes/alpha").get_data(as_text=True)
    only_y = instructor_client.get("/courses/mini-course/instructor/quizzes/alpha?cohort=y").get_data(as_text=True)
    assert "<dt>Attempts</dt><dd>2</dd>" in every and "<dt>Attempts</dt><dd>1</dd>" in only_y
    assert "<dt>Mean score</dt><dd>100%</dd>" in only_y


def test_instructors_create_and_edit_cohorts(instructor_client, course):
    response = instructor_client.post(
        "/courses/mini-course/instructor/cohorts",
        data={"name": "Autumn", "slug": "autumn-26", "enrollment_code": "AUT", "closes_at": "2027-01-31T18:00"},
    )
    assert response.status_code == 302
    made = db.session.execute(db.select(Cohort).where(Cohort.slug == "autumn-26")).scalar_one()
    assert made.enrollment_code == "AUT" and made.closes_at == datetime(2027, 1, 31, 18, 0, tzinfo=UTC)
    edited = instructor_client.post(
        f"/courses/mini-course/instructor/cohorts/{made.id}",
        # As a browser sends it: emptied fields come as empty strings.
        data={"name": "Autumn 2026", "slug": "autumn-26", "enrollment_code": "", "opens_at": "", "closes_at": ""},
    )
    assert edited.status_code == 302
    db.session.expire_all()
    made = db.session.get(Cohort, made.id)
    assert made.name == "Autumn 2026" and made.enrollment_code is None and made.closes_at is None
    page = instructor_client.get("/courses/mini-course/instructor/cohorts").get_data(as_text=True)
    assert "Autumn 2026" in page and "Add a cohort" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Bad", "slug": "Not A Slug"}, "Use lowercase letters"),
        ({"name": "Taken", "slug": "taken"}, "Another cohort of this course has that slug."),
        ({"name": "Code", "slug": "code", "enrollment_code": "TAKEN"}, "Another cohort of this course has that code."),
        (
            {"name": "Backwards", "slug": "back", "opens_at": "2027-02-01T00:00", "closes_at": "2027-01-01T00:00"},
            "The cohort must close after it opens.",
        ),
        ({"name": "", "slug": "empty"}, "This field is required."),
    ],
)
def test_bad_cohort_details_are_refused_and_write_nothing(instructor_client, course, data, message):
    cohort(course, "taken", code="TAKEN")
    before = db.session.execute(db.select(db.func.count()).select_from(Cohort)).scalar_one()
    response = instructor_client.post("/courses/mini-course/instructor/cohorts", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count()).select_from(Cohort)).scalar_one() == before


def test_assistants_see_cohorts_but_change_nothing(app, assistant, course):
    made = cohort(course, "spring", code="S")
    client = app.test_client(user=assistant)
    page = client.get("/courses/mini-course/instructor/cohorts").get_data(as_text=True)
    assert "Spring" in page and "Add a cohort" not in page
    detail = client.get(f"/courses/mini-course/instructor/cohorts/{made.id}").get_data(as_text=True)
    assert "Save cohort" not in detail and "<dt>Enrollment code</dt><dd>S</dd>" in detail
    assert client.post("/courses/mini-course/instructor/cohorts", data={"name": "X", "slug": "x"}).status_code == 403
    assert client.post(f"/courses/mini-course/instructor/cohorts/{made.id}", data={"name": "X"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Cohort, made.id).name == "Spring"
