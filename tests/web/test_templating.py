"""The app's Jinja templates import macros and call functions as Jinja does: the same module, the same output."""

from __future__ import annotations

from collections import ChainMap

import pytest
from jinja2 import DictLoader, Environment, Template, pass_context, pass_environment, pass_eval_context
from jinja2.runtime import Context

from lms.web.templating import CallingContext, CourseEnvironment, ImportingTemplate, TemplateGlobals

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


class Greeter:
    def __init__(self, greeting: str) -> None:
        self.greeting = greeting

    def plain(self, name: str) -> str:
        return f"{self.greeting} {name}"

    @pass_context
    def with_context(self, context, name: str) -> str:
        return f"{self.greeting} {name} in {context.get('place')}"


class ContextCallable:
    @pass_context
    def __call__(self, context, name: str) -> str:
        return f"{name} at {context.get('place')} (loop var {context.get('item', '-')})"


def _stops():
    raise StopIteration


CALLABLES = {
    "plain": lambda name, punctuation="": f"hi {name}{punctuation}",
    "with_context": pass_context(
        lambda context, name: f"{name} in {context.get('place')} ({context.get('item', '-')})"
    ),
    "with_eval_context": pass_eval_context(lambda eval_ctx, name: f"{name} autoescape={eval_ctx.autoescape}"),
    "with_environment": pass_environment(lambda environment, name: f"{name} {type(environment).__name__}"),
    "method": Greeter("hello").plain,
    "method_with_context": Greeter("hey").with_context,
    "callable_with_context": ContextCallable(),
    "builtin": len,
    "stops": _stops,
}
CALLS = {
    "plain": "{{ plain('ann') }}{{ plain(name='bo', punctuation='!') }}",
    "context, in a loop and a block": (
        "{% set place = 'Leeds' %}{% for item in 'ab' %}{{ with_context('cy') }}{% endfor %}"
        "{% block b %}{% set item = 'z' %}{{ with_context('di') }}{% endblock %}"
    ),
    "eval context and environment": "{{ with_eval_context('ed') }}{{ with_environment('fay') }}",
    "methods": "{% set place = 'York' %}{{ method('gus') }}{{ method_with_context('hal') }}",
    "callable object": "{% set place = 'Hull' %}{% for item in 'x' %}{{ callable_with_context('ivy') }}{% endfor %}",
    "macro with caller and keywords": (
        "{% macro box(title, kind='info') %}[{{ kind }}: {{ title }} {{ caller() }}]{% endmacro %}"
        "{% for item in 'pq' %}{% call box(item, kind='warn') %}{{ item | upper }}{% endcall %}{% endfor %}"
        "{{ box.__call__ is defined }}"
    ),
    "builtin and a callable that stops": "{{ builtin('four') }}[{{ stops() }}]",
}


@pytest.mark.parametrize("source", CALLS.values(), ids=CALLS.keys())
def test_a_call_renders_as_with_jinjas_own_context(source):
    rendered = []
    for context_class in (CallingContext, Context):
        env = Environment(autoescape=True)
        env.context_class = context_class
        rendered.append(env.from_string(source).render(CALLABLES))
    assert rendered[0] == rendered[1]
    assert "None" not in rendered[0] and "Undefined" not in rendered[0]


def test_a_call_that_wants_the_context_sees_what_its_loop_set():
    env = Environment()
    env.context_class = CallingContext
    source = (
        "{% set place = 'Bath' %}{% for name in 'ab' %}{% set item = name * 2 %}{{ with_context('jo') }};{% endfor %}"
    )
    assert env.from_string(source).render(CALLABLES) == "jo in Bath (aa);jo in Bath (bb);"


def test_template_globals_answer_as_jinjas_chain_map(app):
    env = CourseEnvironment(app, loader=DictLoader({"page.html": "{{ shared }} {{ own | default('-') }}"}))
    env.globals.update(shared="env", overridden="env")
    page = env.get_template("page.html", globals={"own": "page", "overridden": "page"})
    jinjas = ChainMap({"own": "page", "overridden": "page"}, env.globals)
    assert isinstance(page.globals, TemplateGlobals)
    assert dict(page.globals) == dict(jinjas) and list(page.globals) == list(jinjas)
    for key in ("shared", "own", "overridden", "range"):
        assert page.globals[key] == jinjas[key] and key in page.globals
    assert page.globals.get("absent", 7) == 7
    with pytest.raises(KeyError):
        page.globals["absent"]
    env.globals["later"] = "seen"  # the environment's later globals show through, as with Jinja's ChainMap
    assert page.globals["later"] == "seen"
    assert page.render() == "env page" and env.get_template("page.html").render() == "env page"


def test_the_app_renders_with_these_templates(app):
    assert isinstance(app.jinja_env, CourseEnvironment)
    assert isinstance(app.jinja_env.get_template("course/dashboard.html"), ImportingTemplate)
    assert isinstance(app.jinja_env.get_template("course/dashboard.html").new_context(), CallingContext)


# The macro progress_bar() replaced, as it was: the function must print the same.
PROGRESS_BAR_MACRO = """{% macro progress_bar(value, label, id=None) -%}
  <div class="progress">
    <div class="progress-label"><span>{{ label }}</span><span>{{ value | round | int }}%</span></div>
    <progress max="100" value="{{ value }}" aria-label="{{ label }}">{{ value | round | int }}%</progress>
  </div>
{%- endmacro %}{{ progress_bar(value, label) }}"""


@pytest.mark.parametrize("value", [0, 100, 40, 66.67, 2.5, 3.5, 99.5, 0.4])
@pytest.mark.parametrize("label", ["Readiness", "3 of 5 lessons complete", 'Tom & "Jerry" <b>'])
def test_the_progress_bar_prints_what_its_macro_printed(app, value, label):
    from lms.web import progress_bar

    macro = Environment(autoescape=True).from_string(PROGRESS_BAR_MACRO)
    assert str(progress_bar(value, label)) == macro.render(value=value, label=label)
    assert app.jinja_env.globals["progress_bar"] is progress_bar
