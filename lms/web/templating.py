"""The app's Jinja environment: Flask's, with cheaper template imports, calls and globals.

Each is Jinja's own behaviour at a lower price (Jinja 3.1, pinned; tests/web/test_templating.py
holds each to Jinja's answer):

- `{% from "x.html" import macro %}` runs on every render of the importing page (the dashboard has
  five). Jinja reuses the imported module unless the importing page holds globals the imported
  template lacks, and asks that with a set difference over a ChainMap's keys view: about twenty
  Python-level lookups per import. `issubset` asks the same question in C.
- Every call in a template (`url_for(...)`, a macro, `csrf_field()`) goes through
  `Context.call`, which asks the callable and its `__call__` whether it wants the context passed:
  four attribute lookups, more than a cached `url_for` costs itself. For the plain functions,
  methods and macros that nearly every call is, one lookup answers it.
- Every render copies the template's globals (a ChainMap over the environment's) into a dict. A
  ChainMap finds a key by trying each map in turn, raising and catching a KeyError for each map
  without it: some twenty Python exceptions per page. `TemplateGlobals` asks each map first.
"""

from __future__ import annotations

from collections import ChainMap
from types import FunctionType, MethodType
from typing import Any

from flask.templating import Environment
from jinja2.environment import Template, TemplateModule
from jinja2.runtime import Context, Macro
from jinja2.utils import internalcode


class ImportingTemplate(Template):
    """A Jinja template whose imported module is found as Jinja finds it, only cheaper."""

    def _get_default_module(self, ctx: Context | None = None) -> TemplateModule:
        if ctx is not None and not ctx.globals_keys.issubset(self.globals):
            return super()._get_default_module(ctx)  # new globals: Jinja makes a module of its own
        return super()._get_default_module()  # the cached module, made on first use


class CallingContext(Context):
    """A Jinja context whose calls of plain functions, methods and macros skip the questions they answer no to."""

    @internalcode  # hidden from template tracebacks, as Jinja's own call is
    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        kind = type(__obj)
        # A function or method wants the context only if decorated (pass_context and the like: an
        # attribute its __call__ never has); a macro never does.
        if kind is Macro or ((kind is FunctionType or kind is MethodType) and not hasattr(__obj, "jinja_pass_arg")):
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:
                return __self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception"
                )
        return super().call(__obj, *args, **kwargs)


class TemplateGlobals(ChainMap):
    """A template's globals over the environment's, as Jinja's ChainMap, finding a key without exceptions."""

    def __getitem__(self, key: str) -> Any:
        for mapping in self.maps:
            if key in mapping:
                return mapping[key]
        return self.__missing__(key)  # ChainMap's: raises KeyError


class CourseEnvironment(Environment):
    """Flask's Jinja environment with ImportingTemplate, CallingContext and TemplateGlobals."""

    template_class = ImportingTemplate
    context_class = CallingContext

    def make_globals(self, d: dict[str, Any] | None) -> TemplateGlobals:
        return TemplateGlobals({} if d is None else d, self.globals)
