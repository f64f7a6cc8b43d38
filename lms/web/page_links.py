"""The URLs the layout and the learner's course pages link to, built once per process and course.

A `url_for(...)` in a template costs about 28 k instructions even when CourseApp remembers the URL
(lms/web/built_urls.py): Jinja's lookup and call of the function, the keyword arguments, the key
of the cache. The layout made nine such calls and the dashboard another ten: 0.36 M of the
dashboard's 4.9 M instructions. These URLs depend only on the URL map, the script root and the
course, so `page_links()` builds them with url_for once per (script root, course) and the
templates read them as attributes (`links.stylesheet`, `links.lesson[lesson.id]`). Other pages,
and links with request-specific values (an attempt's id), keep url_for.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ..domain.course import Course
from ..domain.values import value
from .course_scope import current_course
from .request_globals import current_flask_app, current_request

# Script roots come from the server's configuration, courses from the catalog: a handful of keys.
# Bounded all the same; when full the cache starts over.
MAX_KEPT = 100


@value
class PageLinks:
    """The site's links, and on a course's pages that course's (None and empty elsewhere)."""

    stylesheet: str
    favicon: str
    local_time_script: str
    catalog: str
    login: str
    register: str
    account: str
    logout: str
    outline: str | None
    dashboard: str | None
    roster: str | None
    lesson: Mapping[str, str]  # by lesson id: the lesson page
    quiz: Mapping[str, str]  # by lesson id: the quiz's overview
    quiz_start: Mapping[str, str]  # by lesson id: where the "Start the quiz" form posts


def page_links() -> PageLinks:
    """The links of the request's course (or of the site), built on the first request that needs them."""
    app, course = current_flask_app(), current_course()
    kept = app.extensions.setdefault("lms.page_links", {})
    key = (current_request().script_root, course.id if course is not None else None)
    found = kept.get(key)
    # A reloaded catalog has new Course objects: their links are built again.
    if found is None or found[0] is not course:
        if len(kept) >= MAX_KEPT:
            kept.clear()
        found = kept[key] = (course, _build(app.url_for, course))
    return found[1]


def _build(url_for, course: Course | None) -> PageLinks:
    def by_lesson(endpoint: str) -> Mapping[str, str]:
        if course is None:
            return MappingProxyType({})
        return MappingProxyType({lesson.id: url_for(endpoint, lesson_id=lesson.id) for lesson in course.lessons})

    return PageLinks(
        stylesheet=url_for("static", filename="css/app.css"),
        favicon=url_for("static", filename="favicon.svg"),
        local_time_script=url_for("static", filename="js/local-time.js"),
        catalog=url_for("catalog.index"),
        login=url_for("auth.login"),
        register=url_for("auth.register"),
        account=url_for("account.overview"),
        logout=url_for("auth.logout"),
        outline=url_for("course.outline") if course is not None else None,
        dashboard=url_for("course.dashboard") if course is not None else None,
        roster=url_for("instructor.roster") if course is not None else None,
        lesson=by_lesson("course.lesson"),
        quiz=by_lesson("quiz.overview"),
        quiz_start=by_lesson("quiz.start"),
    )
