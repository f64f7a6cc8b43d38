"""The domain layer stays pure: no Flask, no SQLAlchemy, nothing from the layers above."""

import ast
from pathlib import Path

import pytest

LMS = Path(__file__).resolve().parents[2] / "lms"
DOMAIN = LMS / "domain"
FORBIDDEN = ("flask", "flask_", "sqlalchemy", "werkzeug", "wtforms", "lms.")


def imported_modules(path: Path) -> list[str]:
    """Return the absolute names of the modules a file imports (relative imports resolved)."""
    package = ["lms", *path.parent.relative_to(LMS).parts]
    tree = ast.parse(path.read_text(), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                names.append(".".join([*base, node.module] if node.module else base))
            else:
                names.append(node.module or "")
    return names


def test_relative_imports_resolve_to_their_package():
    assert imported_modules(DOMAIN / "questions" / "single.py")[-2:] == [
        "lms.domain.reader",
        "lms.domain.questions.base",
    ]


@pytest.mark.parametrize("path", sorted(DOMAIN.rglob("*.py")), ids=lambda p: str(p.relative_to(DOMAIN)))
def test_domain_module_imports_nothing_from_upper_layers(path):
    bad = [name for name in imported_modules(path) if name.startswith(FORBIDDEN) and not name.startswith("lms.domain")]
    assert not bad, f"{path.name} imports {bad}"
