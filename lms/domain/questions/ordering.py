"""Ordering: put items in sequence; credit (longest run in the right relative order - 1) / (items - 1)."""

from __future__ import annotations

import bisect
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..reader import Reader
from .base import COMMON_FIELDS, InvalidResponse, Option, PickDistractor, Question, Response, Tally


def _longest_increasing(values: Sequence[int]) -> int:
    tails: list[int] = []
    for value in values:
        position = bisect.bisect_left(tails, value)
        if position == len(tails):
            tails.append(value)
        else:
            tails[position] = value
    return len(tails)


@dataclass(frozen=True, kw_only=True)
class OrderingQuestion(Question):
    type = "ordering"

    sequence: tuple[Option, ...]  # the correct order

    @classmethod
    def read(cls, reader: Reader, common: dict) -> OrderingQuestion | None:
        reader.reject_unknown(COMMON_FIELDS | {"sequence"})
        sequence = reader.text_list("sequence", 3, 8)
        if sequence is None or not reader.distinct("sequence", sequence):
            return None
        return cls(**common, sequence=Option.many(common["id"], sequence))

    def options_to_shuffle(self) -> tuple[Option, ...]:
        return self.sequence

    def check(self, response: Response) -> None:
        items = [item.id for item in self.sequence]
        if not isinstance(response, tuple) or sorted(response) != sorted(items):
            raise InvalidResponse(f"{self.id}: each item must be placed exactly once")

    def credit(self, response: Response) -> float:
        position = {item.id: index for index, item in enumerate(self.sequence)}
        in_order = _longest_increasing([position[item] for item in response])
        return (in_order - 1) / (len(self.sequence) - 1)

    def response_from_json(self, data: object) -> Response:
        return tuple(data) if isinstance(data, list) else None

    def key_response(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.sequence)

    def wrong_response(self) -> tuple[str, ...]:
        return self.key_response()[::-1]

    def describe(self, response: Response, removed: str) -> list[str]:
        texts = Option.texts(self.sequence)
        return [f"{n}. {texts.get(item, removed)}" for n, item in enumerate(response, start=1)]

    def tallies(self, responses: Iterable[tuple[Response, int]]) -> list[Tally]:
        """Count how often each item was put in its right place."""
        placed: Counter[str] = Counter()
        for response, count in responses:
            for position, item in enumerate(response):
                if position < len(self.sequence) and self.sequence[position].id == item:
                    placed[item] += count
        return [Tally(f"{n}. {item.text}", placed[item.id], True) for n, item in enumerate(self.sequence, start=1)]

    def simulated_wrong(self, near_miss: bool, rng: random.Random, pick: PickDistractor) -> Response:
        """One adjacent swap (a near miss), two of them, or a shuffle."""
        order = list(self.key_response())
        size = len(order)
        if size < 2:
            return tuple(order)
        if near_miss or (size >= 4 and rng.random() < 0.5):
            first = rng.randrange(size - 1)
            order[first], order[first + 1] = order[first + 1], order[first]
            if not near_miss:
                second = rng.randrange(size - 2)
                second += second >= first  # any other position: two swaps at one place would undo each other
                order[second], order[second + 1] = order[second + 1], order[second]
            return tuple(order)
        shuffled = rng.sample(order, size)
        while shuffled == order:
            shuffled = rng.sample(order, size)
        return tuple(shuffled)
