"""Test-only question type `whole_number`: type a whole number; full credit within the tolerance.

Everything the engine needs from a type is here, in one module outside lms/.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

from lms.domain.questions import InvalidResponse, Question, Response, Tally
from lms.domain.questions.base import COMMON_FIELDS, PickDistractor
from lms.domain.reader import Reader


@dataclass(frozen=True, kw_only=True)
class WholeNumberQuestion(Question):
    type = "whole_number"

    answer: int
    tolerance: int = 0

    @classmethod
    def read(cls, reader: Reader, common: dict) -> WholeNumberQuestion | None:
        reader.reject_unknown(COMMON_FIELDS | {"answer", "tolerance"})
        answer = reader.number("answer", -1_000_000, 1_000_000, integer=True)
        tolerance = reader.number("tolerance", 0, 1000, integer=True) if "tolerance" in reader.data else 0
        if answer is None or tolerance is None:
            return None
        return cls(**common, answer=answer, tolerance=tolerance)

    def check(self, response: Response) -> None:
        if isinstance(response, bool) or not isinstance(response, int):
            raise InvalidResponse(f"{self.id}: expected a whole number")

    def credit(self, response: Response) -> float:
        return 1.0 if abs(response - self.answer) <= self.tolerance else 0.0

    def response_from_json(self, data: object) -> Response:
        return data if isinstance(data, int) and not isinstance(data, bool) else None

    def key_response(self) -> int:
        return self.answer

    def wrong_response(self) -> int:
        return self.answer + self.tolerance + 1

    def describe(self, response: Response, removed: str) -> list[str]:
        return [str(response)]

    def tallies(self, responses: Iterable[tuple[Response, int]]) -> list[Tally]:
        right = wrong = 0
        for response, count in responses:
            if self.credit(response):
                right += count
            else:
                wrong += count
        return [Tally(f"{self.answer} ± {self.tolerance}", right, True), Tally("another number", wrong, False)]

    def simulated_wrong(self, near_miss: bool, rng: random.Random, pick: PickDistractor) -> Response:
        return self.answer + self.tolerance + (1 if near_miss else rng.randint(2, 10))
