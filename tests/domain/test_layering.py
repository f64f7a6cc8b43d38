"""The layers hold by themselves: a pure domain, services without Flask, blueprints that do not import each other."""

import ast
from pathlib import Path

import pytest

LMS = Path(__file__).resolve().parents[2] / "lms"
DOMAIN = LMS / "domain"
SERVICES = LMS / "services"
WEB = LMS / "web"
FORBIDDEN = ("flask", "flask_", "sqlalchemy", "werkzeug", "wtforms", "lms.")
# Services read and write through models and the extensions (db, app_setting); the request, the
# session, current_user and the layers above stay out of reach.
SERVICES_FORBIDDEN = ("flask", "flask_", "wtforms", "lms.web", "lms.cli")


def module_name(path: Path) -> str:
    parts = path.relative_to(LMS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> list[str]:
    """The absolute names of every module a file imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            names.append(module)
            # `from . import auth` imports a module, not a name of the package.
            names.extend(f"{module}.{alias.name}" for alias in node.names)
    return names


def is_or_under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p.rstrip("._") or name.startswith(p) for p in prefixes)


def test_relative_imports_resolve_to_their_package():
    names = imported_modules(DOMAIN / "questions" / "single.py")
    assert {"lms.domain.reader", "lms.domain.questions.base"} <= set(names)


@pytest.mark.parametrize("path", sorted(DOMAIN.rglob("*.py")), ids=lambda p: str(p.relative_to(DOMAIN)))
def test_domain_module_imports_nothing_from_upper_layers(path):
    bad = [
        name
        for name in imported_modules(path)
        if is_or_under(name, FORBIDDEN) and not name.startswith("lms.domain") and name not in {"lms"}
    ]
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", sorted(SERVICES.glob("*.py")), ids=lambda p: p.name)
def test_services_import_nothing_from_flask_or_the_web(path):
    bad = [name for name in imported_modules(path) if is_or_under(name, SERVICES_FORBIDDEN)]
    assert not bad, f"{path.name} imports {bad}: use lms.extensions (db, app_setting) instead"


def blueprint_units() -> dict[str, list[Path]]:
    """Modules and packages directly under lms/web that define a Blueprint, with their files."""
    units: dict[str, list[Path]] = {}
    for path in sorted(WEB.rglob("*.py")):
        relative = path.relative_to(WEB)
        if relative.name == "__init__.py" and len(relative.parts) == 1:
            continue  # lms/web/__init__.py registers every blueprint
        unit = relative.parts[0].removesuffix(".py")
        units.setdefault(unit, []).append(path)
    return {unit: files for unit, files in units.items() if any("Blueprint(" in file.read_text() for file in files)}


def test_blueprints_are_found():
    assert {"auth", "account", "course", "quiz", "instructor", "ops"} <= set(blueprint_units())


@pytest.mark.parametrize("unit", sorted(blueprint_units()))
def test_blueprints_do_not_import_one_another(unit):
    others = tuple(f"lms.web.{other}" for other in blueprint_units() if other != unit)
    bad = {
        f"{path.relative_to(WEB)} imports {name}"
        for path in blueprint_units()[unit]
        for name in imported_modules(path)
        if any(name == other or name.startswith(other + ".") for other in others)
    }
    assert not bad, f"move what they share into a helper module (access, forms, presenters): {sorted(bad)}"
