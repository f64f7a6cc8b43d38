"""Read typed fields from parsed YAML, recording a Problem (file, field, why) for each bad one.

Shared by the course-pack loader and by each question type's reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

IDENTIFIER = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_MISSING = object()


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a pack: which file, which field, and why."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}" if self.field else f"{self.file}: {self.message}"


class Reader:
    """Read typed fields from one mapping of a pack file, recording a Problem for each bad one."""

    def __init__(self, problems: list[Problem], file: str, data: Any, prefix: str = ""):
        self.problems = problems
        self.file = file
        self.prefix = prefix
        self.ok = isinstance(data, dict)
        self.data: dict = data if self.ok else {}
        if not self.ok:
            self.problem("", f"must be a mapping of fields, got {describe(data)}")

    def problem(self, key: str, message: str) -> None:
        field = f"{self.prefix}{key}" if key else self.prefix.rstrip(".")
        self.problems.append(Problem(self.file, field, message))

    def child(self, key: str, data: Any) -> Reader:
        return Reader(self.problems, self.file, data, f"{self.prefix}{key}.")

    def _get(self, key: str, required: bool) -> Any:
        value = self.data.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required and self.ok:
                self.problem(key, "is required")
            return _MISSING
        return value

    def text(self, key: str, required: bool = True, default: str = "") -> str | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None if required else default
        if not isinstance(value, str) or not value.strip():
            self.problem(key, f"must be non-empty text, got {describe(value)}")
            return None
        return value.strip()

    def identifier(self, key: str) -> str | None:
        value = self.text(key)
        if value is not None and not IDENTIFIER.match(value):
            self.problem(key, f"must be lowercase letters, digits, '-' or '_', got {value!r}")
            return None
        return value

    def number(self, key: str, minimum: float, maximum: float, integer: bool = False) -> Any:
        value = self._get(key, True)
        if value is _MISSING:
            return None
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds):
            kind = "a whole number" if integer else "a number"
            self.problem(key, f"must be {kind}, got {describe(value)}")
            return None
        if not minimum <= value <= maximum:
            self.problem(key, f"must be between {minimum:g} and {maximum:g}, got {value:g}")
            return None
        return value

    def boolean(self, key: str, required: bool = True, default: bool = False) -> bool | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None if required else default
        if not isinstance(value, bool):
            self.problem(key, f"must be true or false, got {describe(value)}")
            return None
        return value

    def text_list(self, key: str, min_items: int, max_items: int, required: bool = True) -> list[str] | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None if required else []
        if not isinstance(value, list):
            self.problem(key, f"must be a list, got {describe(value)}")
            return None
        items = []
        for position, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.problem(f"{key}[{position}]", f"must be non-empty text, got {describe(item)}")
                return None
            items.append(item.strip())
        if not min_items <= len(items) <= max_items:
            self.problem(key, f"must have {count_range(min_items, max_items)} items, got {len(items)}")
            return None
        return items

    def distinct(self, key: str, texts: list[str]) -> bool:
        """Record a problem and return False if a text appears twice."""
        seen: set[str] = set()
        for text in texts:
            if text in seen:
                self.problem(key, f"option {text!r} appears twice")
                return False
            seen.add(text)
        return True

    def reject_unknown(self, allowed: set[str]) -> None:
        """Record a problem for each key of the mapping that is not in allowed."""
        for key in self.data:
            if key not in allowed:
                self.problem(str(key), f"is not a known field (known: {', '.join(sorted(allowed))})")


def describe(value: Any) -> str:
    """Name a YAML value for a problem message: short text quoted, containers by kind."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


def count_range(low: int, high: int) -> str:
    """Say how many items a list may have: '2 to 8', or 'at least 1' with no real limit."""
    return f"at least {low}" if high >= 1000 else f"{low} to {high}"
