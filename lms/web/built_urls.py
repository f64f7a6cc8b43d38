"""The app class: Flask, whose url_for remembers the URLs it built, whose hooks are checked for
coroutines once, and whose templates import and call cheaply (lms/web/templating.py).

A page calls url_for 10 to 40 times (navigation, links per lesson, static files), and each call
runs the URL processors and Werkzeug's builder: about a tenth of a lesson page's time. The URL of
a relative build depends only on the URL map (fixed once the app serves), the endpoint, its
values, the script root and the course of the request (course_scope fills it in), so the result
is kept per process like a compiled template: a cache of a pure function, not state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

# The context variables behind Flask's `request` and `g`, read directly: a LocalProxy lookup costs
# about as much as the cache hit itself, and this runs 10 to 40 times a page (Flask 3.1, pinned).
from flask.globals import _cv_app, _cv_request

from .templating import CourseEnvironment

# Bounded: URLs with attempt ids are many; when full the cache starts over.
MAX_BUILT_URLS = 20_000
# Bounded too: the hooks, views and context processors are a few dozen.
MAX_SYNC_CHECKS = 1_000


class CourseApp(Flask):
    """Flask with a url_for that serves repeated relative builds from a per-process cache."""

    jinja_environment = CourseEnvironment  # imports checked in C (lms/web/templating.py)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._built_urls: dict[tuple, str] = {}
        self._sync_functions: dict[Callable, Callable] = {}

    def ensure_sync(self, func: Callable) -> Callable:
        # Flask asks inspect.iscoroutinefunction() of every hook, context processor and view on
        # every request (a dozen a page); the answer for a function never changes.
        try:
            return self._sync_functions[func]
        except KeyError:
            pass
        except TypeError:  # not hashable: ask Flask each time
            return super().ensure_sync(func)
        synced = super().ensure_sync(func)
        if len(self._sync_functions) >= MAX_SYNC_CHECKS:
            self._sync_functions.clear()
        self._sync_functions[func] = synced
        return synced

    def url_for(
        self,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: Any,
    ) -> str:
        # Only the common case: a relative URL built inside a request, absolute endpoint name.
        request_context = _cv_request.get(None)
        if _anchor or _method or _scheme or _external or endpoint[:1] == "." or request_context is None:
            return super().url_for(
                endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external, **values
            )
        course = _cv_app.get().g.get("course")
        script_root = request_context.request.script_root
        key = (endpoint, script_root, course.id if course is not None else None, *sorted(values.items()))
        try:
            return self._built_urls[key]
        except KeyError:
            pass
        except TypeError:  # a value that cannot be a key (a list of query values): build it each time
            return super().url_for(endpoint, **values)
        url = super().url_for(endpoint, **values)
        if len(self._built_urls) >= MAX_BUILT_URLS:
            self._built_urls.clear()
        self._built_urls[key] = url
        return url
