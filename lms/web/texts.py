"""Words for the codes the domain returns: one place to wrap in Flask-Babel's gettext later."""

from __future__ import annotations

from ..domain.passwords import MAX_LENGTH, MIN_LENGTH, PasswordProblem
from ..domain.statistics import Flag

FLAG_TEXTS = {
    Flag.VERY_EASY: "Very easy",
    Flag.VERY_HARD: "Very hard",
    Flag.NEGATIVE: "Negative discrimination: check the key and the wording",
    Flag.WEAK: "Weak discrimination",
}

PASSWORD_PROBLEM_TEXTS = {
    PasswordProblem.TOO_SHORT: f"Use at least {MIN_LENGTH} characters.",
    PasswordProblem.TOO_LONG: f"Use at most {MAX_LENGTH} characters.",
    PasswordProblem.COMMON: "This password is too common; choose one that is harder to guess.",
    PasswordProblem.PERSONAL: "Do not use your name or email as your password.",
}


def flag_text(flag: Flag) -> str:
    """Say what a question-analysis flag means."""
    return FLAG_TEXTS[flag]


def password_problem_text(problem: PasswordProblem) -> str:
    """Say how to fix a password problem."""
    return PASSWORD_PROBLEM_TEXTS[problem]
