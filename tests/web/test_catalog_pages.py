"""Two courses side by side: the catalog page, course URLs, and the old addresses."""

import pytest

from ..helpers import CATALOG


@pytest.fixture
def app_config():
    return {"COURSE_PACK_PATH": str(CATALOG)}


def test_the_front_page_lists_every_course(client):
    page = client.get("/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'href="/courses/mini-course/"' in text and 'href="/courses/second-course/"' in text


def test_one_course_goes_straight_to_it(app_config, request):
    app_config["COURSE_PACK_PATH"] = str(CATALOG / "courses" / "second-course")
    client = request.getfixturevalue("app").test_client()
    response = client.get("/")
    assert response.status_code == 302 and response.location == "/courses/second-course/"


def test_an_unknown_course_is_404(client):
    assert client.get("/courses/no-such-course/").status_code == 404
    assert client.get("/courses/no-such-course/lessons/alpha").status_code == 404


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/lessons/alpha", "/courses/mini-course/lessons/alpha"),
        ("/dashboard", "/courses/mini-course/dashboard"),
        ("/instructor/", "/courses/mini-course/instructor/"),
        ("/instructor/quizzes/beta?basis=all", "/courses/mini-course/instructor/quizzes/beta?basis=all"),
        ("/attempts/12/result", "/courses/mini-course/attempts/12/result"),
    ],
)
def test_old_addresses_move_permanently_to_the_default_course(client, old, new):
    response = client.get(old)
    assert response.status_code == 301 and response.location == new


def test_an_old_form_post_keeps_its_method(client):
    response = client.post("/quizzes/alpha/attempts")
    assert response.status_code == 308 and response.location == "/courses/mini-course/quizzes/alpha/attempts"


def test_each_course_shows_its_own_lesson_of_the_same_id(app, make_user):
    user = make_user(enrolled=False)
    client = app.test_client(user=user)
    for course_id in ("mini-course", "second-course"):
        assert client.post(f"/courses/{course_id}/enroll").status_code == 302
    assert "Alpha basics" in client.get("/courses/mini-course/lessons/alpha").get_data(as_text=True)
    assert "Sky and sea" in client.get("/courses/second-course/lessons/alpha").get_data(as_text=True)
    assert "Second Course" in client.get("/courses/second-course/").get_data(as_text=True)


def test_enrolling_in_one_course_is_not_enrolling_in_the_other(app, make_user):
    client = app.test_client(user=make_user())  # enrolled in the default course only
    assert client.get("/courses/mini-course/lessons/alpha").status_code == 200
    response = client.get("/courses/second-course/lessons/alpha")
    assert response.status_code == 302 and response.location == "/courses/second-course/"
