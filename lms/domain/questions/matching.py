"""Matching: give each term its match (distractor matches allowed); credit terms right / terms."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..reader import Reader, describe
from .base import COMMON_FIELDS, InvalidResponse, Option, PickDistractor, Question, Response, Tally


@dataclass(frozen=True, kw_only=True)
class MatchingQuestion(Question):
    type = "matching"

    terms: tuple[Option, ...]
    matches: tuple[Option, ...]  # every pair's match, then the distractors
    key: dict[str, str] = field(hash=False)  # term id -> match id

    @classmethod
    def read(cls, reader: Reader, common: dict) -> MatchingQuestion | None:
        reader.reject_unknown(COMMON_FIELDS | {"pairs", "distractors"})
        raw_pairs = reader.data.get("pairs")
        if not isinstance(raw_pairs, list) or not 2 <= len(raw_pairs) <= 8:
            reader.problem("pairs", f"must be a list of 2 to 8 term/match pairs, got {describe(raw_pairs)}")
            return None
        terms, matches = [], []
        for position, raw in enumerate(raw_pairs):
            pair = reader.child(f"pairs[{position}]", raw)
            pair.reject_unknown({"term", "match"})
            term, match = pair.text("term"), pair.text("match")
            if term is None or match is None:
                return None
            terms.append(term)
            matches.append(match)
        distractors = reader.text_list("distractors", 0, 4, required=False)
        if distractors is None:
            return None
        if not reader.distinct("pairs", terms) or not reader.distinct("pairs", matches + distractors):
            return None
        term_options = Option.many(common["id"], terms)
        match_options = Option.many(common["id"], matches + distractors)
        key = {term.id: match.id for term, match in zip(term_options, match_options, strict=False)}
        return cls(**common, terms=term_options, matches=match_options, key=key)

    def options_to_shuffle(self) -> tuple[Option, ...]:
        return self.matches

    def terms_to_shuffle(self) -> tuple[Option, ...]:
        return self.terms

    def check(self, response: Response) -> None:
        if not isinstance(response, Mapping) or set(response) != set(self.key):
            raise InvalidResponse(f"{self.id}: every term needs one match")
        if not set(response.values()) <= {match.id for match in self.matches}:
            raise InvalidResponse(f"{self.id}: unknown match")

    def credit(self, response: Response) -> float:
        right = sum(1 for term, match in response.items() if self.key[term] == match)
        return right / len(self.key)

    def response_from_json(self, data: object) -> Response:
        return dict(data) if isinstance(data, dict) else None

    def key_response(self) -> dict[str, str]:
        return dict(self.key)

    def wrong_response(self) -> dict[str, str]:
        terms = list(self.key)
        matches = [self.key[term] for term in terms]
        return dict(zip(terms, matches[1:] + matches[:1], strict=True))

    def describe(self, response: Response, removed: str) -> list[str]:
        terms, matches = Option.texts(self.terms), Option.texts(self.matches)
        return [f"{terms.get(term, removed)} → {matches.get(match, removed)}" for term, match in response.items()]

    def tallies(self, responses: Iterable[tuple[Response, int]]) -> list[Tally]:
        """Count how often each term was given its right match."""
        right: Counter[str] = Counter()
        for response, count in responses:
            for term, match in response.items():
                if self.key.get(term) == match:
                    right[term] += count
        matches = Option.texts(self.matches)
        return [Tally(f"{t.text} → {matches[self.key[t.id]]}", right[t.id], True) for t in self.terms]

    def distractor_ids(self) -> list[str]:
        used = set(self.key.values())
        return [match.id for match in self.matches if match.id not in used]

    def simulated_wrong(self, near_miss: bool, rng: random.Random, pick: PickDistractor) -> Response:
        """Two matches swapped or one distractor match (a near miss), or a scramble."""
        response = dict(self.key)
        terms = list(response)
        answers = [match.id for match in self.matches]
        if not near_miss and len(answers) >= len(terms):
            scrambled = dict(zip(terms, rng.sample(answers, len(terms)), strict=True))
            if scrambled != response:
                return scrambled
        if self.distractor_ids() and (len(terms) < 2 or rng.random() < 0.4):
            response[rng.choice(terms)] = pick(rng)
        elif len(terms) >= 2:
            first, second = rng.sample(terms, 2)
            response[first], response[second] = response[second], response[first]
        return response
