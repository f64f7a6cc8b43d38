"""Single choice: one right option among distractors; full credit for it, none otherwise."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ..reader import Reader
from .base import COMMON_FIELDS, InvalidResponse, Option, PickDistractor, Question, Response, Tally


@dataclass(frozen=True, kw_only=True)
class SingleChoiceQuestion(Question):
    type = "single"

    options: tuple[Option, ...]
    answer_id: str

    @classmethod
    def read(cls, reader: Reader, common: dict) -> SingleChoiceQuestion | None:
        reader.reject_unknown(COMMON_FIELDS | {"answer", "distractors"})
        answer = reader.text("answer")
        distractors = reader.text_list("distractors", 1, 7)
        if answer is None or distractors is None or not reader.distinct("distractors", [answer, *distractors]):
            return None
        options = Option.many(common["id"], [answer, *distractors])
        return cls(**common, options=options, answer_id=options[0].id)

    def options_to_shuffle(self) -> tuple[Option, ...]:
        return self.options

    def check(self, response: Response) -> None:
        if not isinstance(response, str) or response not in {option.id for option in self.options}:
            raise InvalidResponse(f"{self.id}: unknown option")

    def credit(self, response: Response) -> float:
        return 1.0 if response == self.answer_id else 0.0

    def response_from_json(self, data: object) -> Response:
        return data if isinstance(data, str) else None

    def key_response(self) -> str:
        return self.answer_id

    def wrong_response(self) -> str:
        return self.distractor_ids()[0]

    def describe(self, response: Response, removed: str) -> list[str]:
        return [Option.texts(self.options).get(response, removed)]

    def tallies(self, responses: Iterable[tuple[Response, int]]) -> list[Tally]:
        chosen: Counter[str] = Counter()
        for response, count in responses:
            chosen[response] += count
        return [Tally(option.text, chosen[option.id], option.id == self.answer_id) for option in self.options]

    def distractor_ids(self) -> list[str]:
        return [option.id for option in self.options if option.id != self.answer_id]

    def simulated_wrong(self, near_miss: bool, rng: random.Random, pick: PickDistractor) -> Response:
        return pick(rng)
