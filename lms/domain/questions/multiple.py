"""Multiple response: tick every right option; (right ticked - wrong ticked) / right options, floored at 0."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ..reader import Reader
from .base import COMMON_FIELDS, InvalidResponse, Option, PickDistractor, Question, Response, Tally


@dataclass(frozen=True, kw_only=True)
class MultipleResponseQuestion(Question):
    type = "multiple"

    options: tuple[Option, ...]
    answer_ids: frozenset[str]

    @classmethod
    def read(cls, reader: Reader, common: dict) -> MultipleResponseQuestion | None:
        reader.reject_unknown(COMMON_FIELDS | {"answers", "distractors"})
        answers = reader.text_list("answers", 1, 7)
        distractors = reader.text_list("distractors", 1, 7)
        if answers is None or distractors is None:
            return None
        if len(answers) + len(distractors) > 8:
            reader.problem("distractors", "a question may have 8 options at most (answers and distractors)")
            return None
        if not reader.distinct("distractors", answers + distractors):
            return None
        options = Option.many(common["id"], answers + distractors)
        answer_ids = frozenset(option.id for option in options[: len(answers)])
        return cls(**common, options=options, answer_ids=answer_ids)

    def options_to_shuffle(self) -> tuple[Option, ...]:
        return self.options

    def check(self, response: Response) -> None:
        if not isinstance(response, frozenset) or not response <= {option.id for option in self.options}:
            raise InvalidResponse(f"{self.id}: unknown option")

    def credit(self, response: Response) -> float:
        right = len(response & self.answer_ids)
        wrong = len(response - self.answer_ids)
        return max(0.0, (right - wrong) / len(self.answer_ids))

    def response_from_json(self, data: object) -> Response:
        return frozenset(data) if isinstance(data, list) else None

    def key_response(self) -> frozenset[str]:
        return self.answer_ids

    def wrong_response(self) -> frozenset[str]:
        return frozenset(self.distractor_ids()[:1])

    def describe(self, response: Response, removed: str) -> list[str]:
        texts = Option.texts(self.options)
        return [texts.get(option, removed) for option in sorted(response, key=lambda o: texts.get(o, ""))]

    def tallies(self, responses: Iterable[tuple[Response, int]]) -> list[Tally]:
        ticked: Counter[str] = Counter()
        for response, count in responses:
            for option in response:
                ticked[option] += count
        return [Tally(option.text, ticked[option.id], option.id in self.answer_ids) for option in self.options]

    def distractor_ids(self) -> list[str]:
        return [option.id for option in self.options if option.id not in self.answer_ids]

    def simulated_wrong(self, near_miss: bool, rng: random.Random, pick: PickDistractor) -> Response:
        """Some of the right options (a near miss), or fewer right ones plus a distractor."""
        answers = [option.id for option in self.options if option.id in self.answer_ids]
        count = len(answers)
        distractor = pick(rng)
        if near_miss:
            if count > 1 and (distractor is None or rng.random() < 0.5):
                return frozenset(rng.sample(answers, count - 1))
            return frozenset([*answers, distractor] if distractor else ())
        chosen = rng.sample(answers, rng.randint(1, count - 1)) if count > 1 else []
        if distractor is not None:
            chosen.append(distractor)
        return frozenset(chosen)
