"""View as learner: staff preview lessons and quizzes, graded and reviewed, with nothing written or counted."""

import re

import pytest
from itsdangerous import URLSafeTimedSerializer

from lms.extensions import db
from lms.models import Attempt, AttemptAnswer, AttemptDraft, Enrollment, LessonProgress, User

from ..conftest import MINI_PACK
from ..helpers import right_fields, wrong_fields

BASE = "/courses/mini-course"
STAFF_PAGES = [f"{BASE}/preview/", f"{BASE}/preview/lessons/alpha", f"{BASE}/preview/quizzes/alpha"]
WATCHED = [
    f"{BASE}/instructor/",
    f"{BASE}/instructor/quizzes",
    f"{BASE}/instructor/quizzes/alpha?basis=all",
    f"{BASE}/instructor/export/roster.csv",
    f"{BASE}/instructor/export/attempts.csv",
]


@pytest.fixture
def app_config():
    return {"COURSE_PACK_PATH": str(MINI_PACK)}


def rows() -> dict[str, int]:
    db.session.expire_all()
    tables = (User, Enrollment, LessonProgress, Attempt, AttemptAnswer, AttemptDraft)
    return {m.__name__: db.session.execute(db.select(db.func.count()).select_from(m)).scalar_one() for m in tables}


def token_of(page: str) -> str:
    return re.search(r'name="preview_token" value="([^"]+)"', page).group(1)


def preview_form(app, course, page: str, correct: bool = True) -> dict:
    """The answers to the questions a preview page drew, read from its signed layout."""
    token = token_of(page)
    payload = URLSafeTimedSerializer(app.secret_key, salt="lms.quiz-preview").loads(token)
    data = {"preview_token": token}
    for number, item in enumerate(payload["q"], start=1):
        data.update((right_fields if correct else wrong_fields)(f"q{number}", course.question(item["q"])))
    return data


def test_staff_and_admins_preview_without_enrolling(app, make_staff, course):
    for user in (
        make_staff("Ines Instructor", "ines@example.org"),
        make_staff("Asa Assistant", "asa@example.org", role="assistant"),
        make_staff("Ada Admin", "ada@example.org", admin=True),
    ):
        client = app.test_client(user=user)
        for path in STAFF_PAGES:
            response = client.get(path)
            assert response.status_code == 200, (user.name, path)
            text = response.get_data(as_text=True)
            assert "Nothing you do here is recorded" in text or "never stored or counted" in text


def test_learners_and_strangers_cannot_preview(app, learner_client, instructor):
    anonymous = app.test_client()
    for path in STAFF_PAGES:
        assert learner_client.get(path).status_code == 403, path
        assert anonymous.get(path).status_code == 302, path
    assert learner_client.post(f"{BASE}/preview/quizzes/alpha", data={}).status_code == 403


def test_the_lesson_preview_shows_the_lesson_and_records_no_view(instructor_client, course):
    before = rows()
    page = instructor_client.get(f"{BASE}/preview/lessons/alpha").get_data(as_text=True)
    assert course.lesson("alpha").title in page and "data-record-view" not in page
    assert rows() == before


def test_a_preview_quiz_is_graded_and_reviewed_and_counts_nowhere(app, instructor_client, learner_client, quiz, course):
    quiz.take(learner_client, "alpha", correct=1)
    watched = {path: instructor_client.get(path).get_data() for path in WATCHED}
    before = rows()
    page = instructor_client.get(f"{BASE}/preview/quizzes/alpha").get_data(as_text=True)
    assert "answer_id" not in page and "correct" not in page.lower().replace("correctly", "")
    result = instructor_client.post(f"{BASE}/preview/quizzes/alpha", data=preview_form(app, course, page))
    assert result.status_code == 200
    text = result.get_data(as_text=True)
    assert "Preview result" in text and "100%" in text and "Passed" in text and "Why:" in text
    for _ in range(course.quiz.max_attempts + 1):
        page = instructor_client.get(f"{BASE}/preview/quizzes/alpha").get_data(as_text=True)
        wrong = instructor_client.post(f"{BASE}/preview/quizzes/alpha", data=preview_form(app, course, page, False))
        assert wrong.status_code == 200 and "Not passed" in wrong.get_data(as_text=True), "no attempt limit"
    # Missed objectives link to the passages in the lesson's preview, not the learner's lesson page.
    assert f'href="{BASE}/preview/lessons/alpha#' in wrong.get_data(as_text=True)
    assert rows() == before
    assert {path: instructor_client.get(path).get_data() for path in WATCHED} == watched


@pytest.mark.parametrize("change", ["no token", "forged token", "another lesson", "another user", "tampered"])
def test_a_preview_form_that_does_not_fit_is_400(app, instructor_client, make_staff, course, change):
    page = instructor_client.get(f"{BASE}/preview/quizzes/alpha").get_data(as_text=True)
    data = preview_form(app, course, page)
    path = f"{BASE}/preview/quizzes/alpha"
    client = instructor_client
    if change == "no token":
        data.pop("preview_token")
    elif change == "forged token":
        data["preview_token"] = data["preview_token"][:-4] + "AAAA"
    elif change == "another lesson":
        path = f"{BASE}/preview/quizzes/beta"
    elif change == "another user":
        client = app.test_client(user=make_staff("Other Instructor", "other@example.org"))
    else:
        data["q99"] = "true"
    before = rows()
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert "not graded" in response.get_data(as_text=True)
    assert rows() == before


def test_an_incomplete_preview_is_shown_again(app, instructor_client, course):
    page = instructor_client.get(f"{BASE}/preview/quizzes/alpha").get_data(as_text=True)
    data = {"preview_token": token_of(page)}
    response = instructor_client.post(f"{BASE}/preview/quizzes/alpha", data=data)
    assert response.status_code == 400
    assert "Some questions still need an answer" in response.get_data(as_text=True)


def test_the_instructor_nav_links_to_the_preview(instructor_client):
    assert f'href="{BASE}/preview/"' in instructor_client.get(f"{BASE}/instructor/").get_data(as_text=True)
