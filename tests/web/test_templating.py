"""The app's Jinja templates import macros as Jinja does: the same module, the same output."""

from __future__ import annotations

import pytest
from jinja2 import DictLoader, Environment, Template

from lms.web.templating import CourseEnvironment, ImportingTemplate

TEMPLATES = {
    "macros.html": "{% macro shout(text) %}{{ text | upper }}{{ extra | default('') }}{% endmacro %}",
    "page.html": '{% from "macros.html" import shout %}{{ shout(word) }}',
}


def environment(template_class: type) -> Environment:
    env = Environment(loader=DictLoader(TEMPLATES), autoescape=True)
    env.template_class = template_class
    return env


@pytest.mark.parametrize("page_globals", [None, {"extra": "!"}], ids=["shared globals", "globals of its own"])
def test_an_import_renders_as_with_jinjas_own_template(page_globals):
    ours, jinjas = environment(ImportingTemplate), environment(Template)
    pages = [env.get_template("page.html", globals=page_globals) for env in (ours, jinjas)]
    rendered = [page.render(word="hello") for page in pages for _ in (1, 2)]
    assert rendered == [rendered[-1]] * 4
    assert rendered[0] == ("HELLO!" if page_globals else "HELLO")  # the imported macro sees the page's own globals


def test_an_import_with_the_shared_globals_reuses_the_module_and_new_globals_get_their_own():
    env = environment(ImportingTemplate)
    macros = env.get_template("macros.html")
    shared = env.get_template("page.html").new_context({"word": "a"})
    own = env.get_template("page.html", globals={"extra": "!"}).new_context({"word": "a"})
    assert macros._get_default_module(shared) is macros._get_default_module(shared) is macros._get_default_module()
    assert macros._get_default_module(own) is not macros._get_default_module()


def test_the_app_renders_with_these_templates(app):
    assert isinstance(app.jinja_env, CourseEnvironment)
    assert isinstance(app.jinja_env.get_template("course/dashboard.html"), ImportingTemplate)
