"""The protocol package stays free of Flask, SQLAlchemy and the rest of the app, so it stands alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.domain.test_layering import imported_modules

LTI = Path(__file__).resolve().parents[2] / "lms" / "lti"
FORBIDDEN = ("flask", "flask_", "sqlalchemy", "werkzeug", "wtforms", "lms.")


@pytest.mark.parametrize("path", sorted(LTI.glob("*.py")), ids=lambda p: p.name)
def test_lti_module_imports_nothing_from_the_app(path):
    bad = [name for name in imported_modules(path) if name.startswith(FORBIDDEN) and not name.startswith("lms.lti")]
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", sorted(LTI.glob("*.py")), ids=lambda p: p.name)
def test_lti_module_is_small(path):
    assert len(path.read_text().splitlines()) <= 400
