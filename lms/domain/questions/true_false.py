"""True or false: full credit for the right value, none otherwise."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

from ..reader import Reader
from .base import COMMON_FIELDS, InvalidResponse, PickDistractor, Question, Response, Tally

# The two answers as people read them, in review and analysis (the quiz form has its own labels).
LABELS = {True: "True", False: "False"}


@dataclass(frozen=True, kw_only=True)
class TrueFalseQuestion(Question):
    type = "true_false"

    answer: bool

    @classmethod
    def read(cls, reader: Reader, common: dict) -> TrueFalseQuestion | None:
        reader.reject_unknown(COMMON_FIELDS | {"answer"})
        answer = reader.boolean("answer")
        return None if answer is None else cls(**common, answer=answer)

    def check(self, response: Response) -> None:
        if not isinstance(response, bool):
            raise InvalidResponse(f"{self.id}: expected true or false")

    def credit(self, response: Response) -> float:
        return 1.0 if response is self.answer else 0.0

    def response_from_json(self, data: object) -> Response:
        return data if isinstance(data, bool) else None

    def key_response(self) -> bool:
        return self.answer

    def wrong_response(self) -> bool:
        return not self.answer

    def describe(self, response: Response, removed: str) -> list[str]:
        return [LABELS[bool(response)]]

    def tallies(self, responses: Iterable[tuple[Response, int]]) -> list[Tally]:
        chosen = {True: 0, False: 0}
        for response, count in responses:
            chosen[response] += count
        return [Tally(LABELS[value], chosen[value], value is self.answer) for value in (True, False)]

    def simulated_wrong(self, near_miss: bool, rng: random.Random, pick: PickDistractor) -> Response:
        return not self.answer
