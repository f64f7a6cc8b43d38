"""The learner's course: outline, enrollment, lessons, reading progress, dashboard."""

import dataclasses

import pytest

from lms.extensions import db
from lms.models import Enrollment, LessonProgress
from lms.web.course import lesson_content

from ..conftest import MINI_PACK


@pytest.fixture
def app_config():
    return {"COURSE_PACK_PATH": str(MINI_PACK)}


def test_anyone_can_read_the_outline(client):
    page = client.get("/courses/mini-course/").get_data(as_text=True)
    assert "Mini Course" in page and "Alpha basics" in page and "Beta practice" in page
    assert "Create an account to enroll" in page
    assert 'href="/courses/mini-course/lessons/alpha"' not in page, "lessons open only after enrollment"


@pytest.mark.parametrize(
    "path",
    ["/courses/mini-course/lessons/alpha", "/courses/mini-course/quizzes/alpha", "/courses/mini-course/dashboard"],
)
def test_lessons_quizzes_and_progress_need_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.location.startswith("/account/login")


@pytest.mark.parametrize(
    "path",
    ["/courses/mini-course/lessons/alpha", "/courses/mini-course/quizzes/alpha", "/courses/mini-course/dashboard"],
)
def test_lessons_quizzes_and_progress_need_enrollment(app, make_user, path):
    client = app.test_client(user=make_user(enrolled=False))
    response = client.get(path)
    assert response.status_code == 302 and response.location == "/courses/mini-course/"
    assert client.post("/courses/mini-course/quizzes/alpha/attempts").status_code == 302


def test_enrolling_is_idempotent_and_creates_progress_rows(app, make_user, course):
    user = make_user(enrolled=False)
    client = app.test_client(user=user)
    assert client.post("/courses/mini-course/enroll").location == "/courses/mini-course/lessons/alpha"
    assert client.post("/courses/mini-course/enroll").status_code == 302
    enrollments = db.session.execute(db.select(Enrollment)).scalars().all()
    assert len(enrollments) == 1 and enrollments[0].readiness_band == "Not yet"
    rows = db.session.execute(db.select(LessonProgress.lesson_id)).scalars().all()
    assert sorted(rows) == ["alpha", "beta"]


@pytest.mark.parametrize("app_config", [{"COURSE_PACK_PATH": str(MINI_PACK), "ENROLLMENT_CODE": "SPRING26"}])
def test_enrollment_code_gates_self_enrollment(app, make_user, app_config):
    client = app.test_client(user=make_user(enrolled=False))
    assert 'name="code"' in client.get("/courses/mini-course/").get_data(as_text=True)
    client.post("/courses/mini-course/enroll", data={"code": "wrong"})
    assert db.session.execute(db.select(Enrollment)).first() is None
    assert "enrollment code is not right" in client.get("/courses/mini-course/").get_data(as_text=True)
    assert (
        client.post("/courses/mini-course/enroll", data={"code": " SPRING26 "}).location
        == "/courses/mini-course/lessons/alpha"
    )
    assert db.session.execute(db.select(Enrollment)).scalar_one()


def progress(lesson_id):
    db.session.expire_all()
    return db.session.execute(db.select(LessonProgress).where(LessonProgress.lesson_id == lesson_id)).scalar_one()


def test_the_lesson_page_writes_nothing_and_its_script_records_the_first_view_once(learner_client):
    page = learner_client.get("/courses/mini-course/lessons/alpha").get_data(as_text=True)
    assert "Name the three primary colours." in page, "objectives"
    assert '<p id="p2">Mixing blue and yellow gives green.</p>' in page
    assert 'rel="next"' in page and 'href="/courses/mini-course/lessons/beta"' in page
    assert progress("alpha").first_viewed_at is None, "a GET writes nothing"
    assert 'data-record-view="/courses/mini-course/lessons/alpha/view"' in page
    assert 'src="/static/js/lesson-view.js"' in page and "<script>" not in page

    assert learner_client.post("/courses/mini-course/lessons/alpha/view").status_code == 204
    first = progress("alpha").first_viewed_at
    assert first is not None
    assert learner_client.post("/courses/mini-course/lessons/alpha/view").status_code == 204
    assert progress("alpha").first_viewed_at == first
    assert progress("beta").first_viewed_at is None
    again = learner_client.get("/courses/mini-course/lessons/alpha").get_data(as_text=True)
    assert "data-record-view" not in again and "lesson-view.js" not in again, "viewed: nothing more to send"


def test_recording_a_view_needs_the_csrf_token(app, learner):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client(user=learner)
    assert client.post("/courses/mini-course/lessons/alpha/view").status_code == 400
    assert progress("alpha").first_viewed_at is None


def test_starting_a_quiz_counts_as_opening_its_lesson(learner_client, quiz):
    quiz.start(learner_client, "alpha")
    assert progress("alpha").first_viewed_at is not None


def test_mark_as_read(learner_client):
    response = learner_client.post("/courses/mini-course/lessons/alpha/read")
    assert response.location == "/courses/mini-course/quizzes/alpha"
    row = progress("alpha")
    assert row.read_at is not None and row.first_viewed_at is not None
    learner_client.post("/courses/mini-course/lessons/alpha/read")
    assert progress("alpha").read_at == row.read_at
    assert "You marked this lesson as read" in learner_client.get("/courses/mini-course/lessons/alpha").get_data(
        as_text=True
    )
    assert "Read" in learner_client.get("/courses/mini-course/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/courses/mini-course/lessons/nope"),
        ("post", "/courses/mini-course/lessons/nope/read"),
        ("get", "/courses/mini-course/quizzes/nope"),
        ("post", "/courses/mini-course/quizzes/nope/attempts"),
        ("get", "/courses/mini-course/attempts/999999"),
        ("get", "/courses/mini-course/attempts/999999/result"),
        ("get", "/no-such-page"),
    ],
)
def test_unknown_lessons_quizzes_and_attempts_get_a_styled_404(learner_client, method, path):
    response = getattr(learner_client, method)(path)
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page and "Traceback" not in page and "site-header" in page


def test_errors_answer_json_to_api_clients(learner_client):
    response = learner_client.get("/courses/mini-course/lessons/nope", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["error"]["status"] == 404


def test_new_learner_dashboard(learner_client):
    page = learner_client.get("/courses/mini-course/dashboard").get_data(as_text=True)
    assert "Readiness score" in page and "Provisional" in page and "Not yet" in page
    assert "0 of 2 lessons complete" in page


def test_a_lessons_pack_content_is_rendered_once_and_again_for_a_reloaded_pack(app, course):
    lesson = course.lessons[0]
    with app.test_request_context("/courses/mini-course/lessons/alpha"):
        first = lesson_content(course, lesson)
        assert lesson.title in first and lesson.html in first
        assert lesson_content(course, lesson) is first  # kept: the same for every learner
        reloaded = dataclasses.replace(lesson, title="Alpha, edited")  # what a reloaded pack brings
        again = lesson_content(course, reloaded)
    assert "Alpha, edited" in again and again is not first
