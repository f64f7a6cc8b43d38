"""The layout's and course pages' links are the URLs url_for builds, per course and script root."""

from __future__ import annotations

import dataclasses

import pytest
from flask import Flask

from lms.domain.catalog import Catalog
from lms.web.page_links import MAX_KEPT, page_links

from ..helpers import CATALOG


@pytest.fixture
def app_config():
    return {"COURSE_PACK_PATH": str(CATALOG)}


def links_in(app, path: str, root: str = ""):
    """page_links() in a request for `path` under script root `root`."""
    with app.test_request_context(path, base_url=f"http://localhost{root}"):
        app.preprocess_request()  # the URL processors read the course from the path
        return page_links()


@pytest.mark.parametrize("root", ["", "/academy"])
@pytest.mark.parametrize("path", ["/courses/mini-course/", "/courses/second-course/dashboard", "/account/"])
def test_every_link_is_the_url_flask_builds(app, path, root):
    links = links_in(app, path, root)
    with app.test_request_context(path, base_url=f"http://localhost{root}"):
        app.preprocess_request()
        url_for = Flask.url_for.__get__(app)
        assert links.stylesheet == url_for("static", filename="css/app.css")
        assert links.favicon == url_for("static", filename="favicon.svg")
        assert links.local_time_script == url_for("static", filename="js/local-time.js")
        site = {"catalog": "catalog.index", "login": "auth.login", "register": "auth.register"}
        site |= {"account": "account.overview", "logout": "auth.logout"}
        for name, endpoint in site.items():
            assert getattr(links, name) == url_for(endpoint)
        course = app.extensions["lms.catalog"].get(path.split("/")[2]) if path.startswith("/courses/") else None
        if course is None:
            assert (links.outline, links.dashboard, links.roster) == (None, None, None)
            assert not links.lesson and not links.quiz and not links.quiz_start
            return
        assert links.outline == url_for("course.outline") and links.outline.startswith(f"{root}/courses/{course.id}/")
        assert links.dashboard == url_for("course.dashboard") and links.roster == url_for("instructor.roster")
        assert set(links.lesson) == set(links.quiz) == set(links.quiz_start) == set(course.lesson_ids)
        for lesson_id in course.lesson_ids:
            assert links.lesson[lesson_id] == url_for("course.lesson", lesson_id=lesson_id)
            assert links.quiz[lesson_id] == url_for("quiz.overview", lesson_id=lesson_id)
            assert links.quiz_start[lesson_id] == url_for("quiz.start", lesson_id=lesson_id)


def test_links_are_built_once_per_course_and_script_root(app):
    first = links_in(app, "/courses/mini-course/")
    again = links_in(app, "/courses/mini-course/lessons/alpha")
    other_course = links_in(app, "/courses/second-course/")
    other_root = links_in(app, "/courses/mini-course/", root="/academy")
    assert again is first
    assert other_course is not first and other_root is not first
    with pytest.raises(TypeError):
        first.lesson["alpha"] = "/elsewhere"  # read-only: every page of the process shares them


def test_a_reloaded_course_gets_its_links_built_again(app):
    first = links_in(app, "/courses/mini-course/")
    catalog = app.extensions["lms.catalog"]
    reloaded = [dataclasses.replace(course, title="Reloaded") for course in catalog.courses]
    app.extensions["lms.catalog"] = Catalog(tuple(reloaded))
    try:
        again = links_in(app, "/courses/mini-course/")
    finally:
        app.extensions["lms.catalog"] = catalog
    assert again is not first and again == first


def test_the_kept_links_are_bounded(app):
    kept = app.extensions.setdefault("lms.page_links", {})
    kept.update({(f"/root-{number}", None): (None, None) for number in range(MAX_KEPT)})
    links = links_in(app, "/account/")
    assert links.catalog == "/" and len(kept) == 1


def test_the_dashboard_links_to_every_lesson_and_the_layouts_files(course, learner_client):
    page = learner_client.get(f"/courses/{course.id}/dashboard").get_data(as_text=True)
    for lesson_id in course.lesson_ids:
        assert f'href="/courses/{course.id}/lessons/{lesson_id}"' in page
    assert 'href="/static/css/app.css"' in page and f'href="/courses/{course.id}/dashboard" aria-current="page"' in page
