"""The app's Jinja environment: Flask's, with templates whose imports check their globals in C.

`{% from "x.html" import macro %}` runs on every render of the importing page (the dashboard has
five). Jinja reuses the imported module unless the importing page holds globals the imported
template lacks, and asks that with a set difference over a ChainMap's keys view: about twenty
Python-level lookups per import, a twentieth of the dashboard's instructions. `issubset` asks the
same question in C (Jinja 3.1, pinned; tests/web/test_templating.py holds it to Jinja's answer).
"""

from __future__ import annotations

from flask.templating import Environment
from jinja2.environment import Template, TemplateModule
from jinja2.runtime import Context


class ImportingTemplate(Template):
    """A Jinja template whose imported module is found as Jinja finds it, only cheaper."""

    def _get_default_module(self, ctx: Context | None = None) -> TemplateModule:
        if ctx is not None and not ctx.globals_keys.issubset(self.globals):
            return super()._get_default_module(ctx)  # new globals: Jinja makes a module of its own
        return super()._get_default_module()  # the cached module, made on first use


class CourseEnvironment(Environment):
    """Flask's Jinja environment with ImportingTemplate."""

    template_class = ImportingTemplate
