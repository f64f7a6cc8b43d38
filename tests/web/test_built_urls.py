"""url_for's per-process cache gives exactly the URLs Flask builds, per course, script root and values."""

import pytest
from flask import Flask, url_for

from ..helpers import CATALOG


@pytest.fixture
def app_config():
    return {"COURSE_PACK_PATH": str(CATALOG)}


def built(app, path: str, *calls, root: str = ""):
    """Build each (endpoint, values) in a request for `path` (under script root `root`)."""
    with app.test_request_context(path, base_url=f"http://localhost{root}"):
        app.preprocess_request()  # the URL processors read the course from the path
        return [url_for(endpoint, **values) for endpoint, values in calls]


CALLS = [
    ("course.outline", {}),
    ("course.lesson", {"lesson_id": "alpha"}),
    ("course.lesson", {"lesson_id": "beta"}),
    ("quiz.result", {"attempt_id": 7}),
    ("static", {"filename": "css/app.css"}),
    ("catalog.index", {}),
    ("instructor.roster", {"page": 2, "cohort": None}),
]


def test_cached_builds_equal_flasks_own(app):
    plain = Flask.url_for.__get__(app)
    for path in ("/courses/mini-course/", "/courses/second-course/lessons/alpha", "/account/"):
        first = built(app, path, *CALLS)
        again = built(app, path, *CALLS)  # served from the cache
        with app.test_request_context(path):
            app.preprocess_request()
            expected = [plain(endpoint, **values) for endpoint, values in CALLS]
        assert first == again == expected


def test_the_course_of_the_request_and_the_script_root_are_part_of_the_key(app):
    call = ("course.lesson", {"lesson_id": "alpha"})
    assert built(app, "/courses/mini-course/", call) == ["/courses/mini-course/lessons/alpha"]
    assert built(app, "/courses/second-course/", call) == ["/courses/second-course/lessons/alpha"]
    assert built(app, "/courses/mini-course/", call, root="/academy") == ["/academy/courses/mini-course/lessons/alpha"]
    assert built(
        app, "/courses/mini-course/", ("course.lesson", {"lesson_id": "alpha", "course_id": "second-course"})
    ) == ["/courses/second-course/lessons/alpha"]


def test_external_urls_and_anchors_are_built_as_flask_builds_them(app):
    plain = Flask.url_for.__get__(app)
    for base in ("https://one.example", "http://two.example:8080"):
        with app.test_request_context("/courses/mini-course/", base_url=base):
            app.preprocess_request()
            assert url_for("course.outline", _external=True) == plain("course.outline", _external=True)
            assert url_for("course.outline", _anchor="top") == "/courses/mini-course/#top"


def test_hooks_are_checked_for_coroutines_once_and_answered_as_flask_answers(app, monkeypatch):
    def hook():
        return None

    async def coroutine_hook():
        return None

    flask_ensure_sync = Flask.ensure_sync
    flask_answers = {func: _outcome(flask_ensure_sync, app, func) for func in (hook, coroutine_hook)}
    asked = []
    monkeypatch.setattr(Flask, "ensure_sync", lambda self, func: asked.append(func) or flask_ensure_sync(self, func))
    for func in (hook, hook, coroutine_hook, coroutine_hook):
        assert _outcome(type(app).ensure_sync, app, func) == flask_answers[func]
    assert app.ensure_sync(hook) is hook
    assert asked.count(hook) == 1  # then answered from the cache
    assert flask_answers[hook] == "the function itself"


def _outcome(ensure_sync, app, func):
    """What ensure_sync answers, comparably: the function itself, a wrapper, or the error raised."""
    try:
        result = ensure_sync(app, func)
    except RuntimeError as error:  # Flask without its async extra refuses coroutine functions
        return str(error)
    return "the function itself" if result is func else "a wrapper"
