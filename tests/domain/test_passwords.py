"""Password rules return codes: each broken rule once, none for a good password."""

import pytest

from lms.domain.passwords import MAX_LENGTH, PasswordProblem, password_problems


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        ("a sound passphrase", []),
        ("short", [PasswordProblem.TOO_SHORT]),
        ("x" * (MAX_LENGTH + 1), [PasswordProblem.TOO_LONG]),
        ("password", [PasswordProblem.COMMON]),
        ("Ada.Lovelace@example.org", [PasswordProblem.PERSONAL]),
        ("ada.lovelace", [PasswordProblem.PERSONAL]),
        ("Ada Lovelace Byron", []),
    ],
)
def test_password_problems_are_codes(password, codes):
    assert password_problems(password, "ada.lovelace@example.org", "Ada Lovelace") == codes
