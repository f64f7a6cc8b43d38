"""What every question type shares: options, the response shape, the base class and the registry."""

from __future__ import annotations

import hashlib
import random
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import ClassVar

from ..reader import Reader

# The shape of one answer is the question type's: single -> option id; multiple -> set of option
# ids; true_false -> bool; ordering -> item ids in the learner's order; matching -> term id to
# match id. A new type may use any value JSON can hold. None means unanswered.
Response = str | frozenset[str] | bool | tuple[str, ...] | Mapping[str, str] | None

# Draws a wrong option for the demo simulator, popular ones more often (None when there is none).
PickDistractor = Callable[[random.Random], str | None]

# Fields every question has in a quiz YAML file; a type's reader adds its own.
COMMON_FIELDS = frozenset({"id", "type", "prompt", "explanation", "source", "objectives"})


class InvalidResponse(ValueError):
    """Raised when an answer does not fit its question: unknown ids, wrong shape."""


def option_id(question_id: str, text: str) -> str:
    """Return a stable, opaque id for an option: it reveals neither position nor correctness."""
    digest = hashlib.sha256(f"{question_id}\x1f{text}".encode()).hexdigest()
    return digest[:10]


@dataclass(frozen=True)
class Option:
    id: str
    text: str

    @classmethod
    def many(cls, question_id: str, texts: Iterable[str]) -> tuple[Option, ...]:
        """Return options with ids derived from the question id and each text."""
        return tuple(cls(option_id(question_id, text), text) for text in texts)

    @staticmethod
    def texts(options: Iterable[Option]) -> dict[str, str]:
        """Return option id -> text."""
        return {option.id: option.text for option in options}


@dataclass(frozen=True)
class Tally:
    """One row of a question's answer counts in item analysis."""

    label: str
    count: int
    correct: bool  # the row counts a right choice (or a part placed right)


@dataclass(frozen=True, kw_only=True)
class Question(ABC):
    """Fields every question type shares; a type adds its options and key, and its behaviour."""

    type: ClassVar[str]  # the YAML `type` and the registry key

    id: str
    lesson_id: str
    prompt: str
    explanation: str
    source: str
    source_anchor: str
    objectives: tuple[str, ...] = ()  # ids of the lesson objectives this question measures

    @classmethod
    @abstractmethod
    def read(cls, reader: Reader, common: dict) -> Question | None:
        """Build the question from its YAML mapping and the common fields; None after recording problems."""

    def options_to_shuffle(self) -> tuple[Option, ...]:
        """Return the options whose display order is drawn per attempt (empty if fixed)."""
        return ()

    def terms_to_shuffle(self) -> tuple[Option, ...]:
        """Return a second list of parts drawn in its own order per attempt (empty if none)."""
        return ()

    @abstractmethod
    def check(self, response: Response) -> None:
        """Raise InvalidResponse unless a (non-blank) response has this type's shape and known ids."""

    @abstractmethod
    def credit(self, response: Response) -> float:
        """Return the credit, 0 to 1, that a checked, non-blank response earns."""

    @abstractmethod
    def response_from_json(self, data: object) -> Response:
        """Rebuild a stored response; None if blank or of another shape."""

    @abstractmethod
    def key_response(self) -> Response:
        """Return the response that earns full credit (a fresh object: callers may keep it)."""

    @abstractmethod
    def wrong_response(self) -> Response:
        """Return a valid response that earns no credit at all."""

    @abstractmethod
    def describe(self, response: Response, removed: str) -> list[str]:
        """Return a non-blank response as lines of text; ids no longer in the pack read as removed."""

    @abstractmethod
    def tallies(self, responses: Iterable[tuple[Response, int]]) -> list[Tally]:
        """Count non-blank responses (with their counts) into rows for item analysis."""

    def distractor_ids(self) -> list[str]:
        """Return the wrong options the demo simulator may pick, in the question's order."""
        return []

    @abstractmethod
    def simulated_wrong(self, near_miss: bool, rng: random.Random, pick: PickDistractor) -> Response:
        """Return a realistic wrong response for the demo simulator; a near miss earns partial credit if it can."""


REGISTRY: dict[str, type[Question]] = {}


def register(cls: type[Question]) -> type[Question]:
    """Add a question type to the registry under its `type`; raise ValueError if the name is taken."""
    if cls.type in REGISTRY and REGISTRY[cls.type] is not cls:
        raise ValueError(f"question type {cls.type!r} is already registered")
    REGISTRY[cls.type] = cls
    return cls
