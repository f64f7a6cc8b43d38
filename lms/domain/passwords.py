"""Password rules after NIST SP 800-63B: long enough, not common, not the account's own name or email."""

from __future__ import annotations

import gzip
from enum import StrEnum
from functools import cache
from pathlib import Path

MIN_LENGTH = 8
MAX_LENGTH = 128
_COMMON = Path(__file__).parent / "data" / "common-passwords.txt.gz"


@cache
def common_passwords() -> frozenset[str]:
    """The vendored list of commonly used passwords, lowercase (loaded once)."""
    with gzip.open(_COMMON, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


class PasswordProblem(StrEnum):
    """A rule a new password breaks (the web layer words it)."""

    TOO_SHORT = "too-short"  # fewer than MIN_LENGTH characters
    TOO_LONG = "too-long"  # more than MAX_LENGTH characters
    COMMON = "common"
    PERSONAL = "personal"  # the account's name or email


def password_problems(password: str, email: str = "", name: str = "") -> list[PasswordProblem]:
    """Return why a new password is not acceptable (an empty list when it is)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(PasswordProblem.TOO_SHORT)
    if len(password) > MAX_LENGTH:
        problems.append(PasswordProblem.TOO_LONG)
    lowered = password.strip().lower()
    if lowered in common_passwords():
        problems.append(PasswordProblem.COMMON)
    personal = {email.strip().lower(), email.strip().lower().partition("@")[0], name.strip().lower()} - {""}
    if lowered in personal:
        problems.append(PasswordProblem.PERSONAL)
    return problems
