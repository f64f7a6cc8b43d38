"""The question types: one module per type, each registered in REGISTRY under its YAML `type`.

A type is a frozen dataclass subclassing Question: it reads itself from YAML, checks and credits
a response, rebuilds one from JSON, names its shuffled parts, its key and a zero-credit response,
describes a response, counts responses for item analysis and simulates wrong answers for demos.
Its web half (form field, parsing, template) lives in lms.web.question_fields. A new type is
registered with `register(cls)`.
"""

from __future__ import annotations

from .base import REGISTRY, InvalidResponse, Option, Question, Response, Tally, option_id, register
from .matching import MatchingQuestion
from .multiple import MultipleResponseQuestion
from .ordering import OrderingQuestion
from .single import SingleChoiceQuestion
from .true_false import TrueFalseQuestion

# The built-in types, in the order authors meet them in docs/authoring.md (and problem messages list them).
BUILT_IN = (SingleChoiceQuestion, MultipleResponseQuestion, TrueFalseQuestion, OrderingQuestion, MatchingQuestion)
for _question_type in BUILT_IN:
    register(_question_type)
QUESTION_TYPES = tuple(question_type.type for question_type in BUILT_IN)

__all__ = [
    "BUILT_IN",
    "QUESTION_TYPES",
    "REGISTRY",
    "InvalidResponse",
    "Option",
    "Question",
    "Response",
    "Tally",
    "option_id",
    "register",
]
