"""The domain layer stays pure: no Flask, no SQLAlchemy, nothing from the layers above."""

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "lms" / "domain"
FORBIDDEN = ("flask", "flask_", "sqlalchemy", "werkzeug", "wtforms", "lms.")


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level and node.module is None:
                names.append(".")
            elif node.level >= 2:
                names.append("lms." + (node.module or ""))
            else:
                names.append(("." if node.level else "") + (node.module or ""))
    return names


@pytest.mark.parametrize("path", sorted(DOMAIN.rglob("*.py")), ids=lambda p: str(p.relative_to(DOMAIN)))
def test_domain_module_imports_nothing_from_upper_layers(path):
    bad = [name for name in imported_modules(path) if name.startswith(FORBIDDEN) and not name.startswith("lms.domain")]
    assert not bad, f"{path.name} imports {bad}"
