"""Every code the domain returns has words in the web layer."""

import pytest

from lms.domain.passwords import PasswordProblem
from lms.domain.statistics import Flag
from lms.web.texts import flag_text, password_problem_text


@pytest.mark.parametrize("flag", list(Flag))
def test_every_flag_has_text(flag):
    assert flag_text(flag).strip()


@pytest.mark.parametrize("problem", list(PasswordProblem))
def test_every_password_problem_has_text(problem):
    assert password_problem_text(problem).endswith(".")
