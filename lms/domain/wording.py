"""Word-level views of quiz items: what an item marks right, content stems, absolutes, hedges, shared runs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .course import (
    Question,
)

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up upon very was we were what when where which while
    who whom why will with would you your yours yourself yourselves one ones s t us may might must
    shall get gets got via per lesson lessons choose apply following
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# Words and phrases that make a statement sweeping; test-wise learners read them as "false".
ABSOLUTES = (
    "only", "every", "always", "never", "completely", "strictly", "any", "all", "must", "skip",
    "wait for", "little need", "no need", "optional", "none", "nothing", "no one", "nobody",
    "entirely", "guarantee", "guarantees", "guaranteed", "automatically", "replace", "replaces",
    "unnecessary", "no longer", "whatever", "without exception", "no exceptions", "exclusively",
    "solely", "at all", "impossible", "cannot", "avoid",
)  # fmt: skip

# Words that soften a claim; test-wise learners read them as "true".
HEDGES = (
    "usually", "often", "can", "may", "might", "some", "many", "most", "typically", "generally",
    "partly", "sometimes", "likely", "helps", "help", "could", "tend", "tends", "frequently",
    "to some extent", "in many cases",
)  # fmt: skip

NAME_SHARE = 0.7  # a text this much in capitals is a name ("Office for Civil Rights"), not a sentence

_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "ly", "s")


def words(text: str) -> list[str]:
    """Return the lowercase words of a text, apostrophes kept inside words."""
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def stem(word: str) -> str:
    """Return a crude stem of a word (common English suffixes stripped) so that variants compare equal."""
    word = word.removesuffix("'s")
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
            break
    # "practice" and "practices", "change" and "changing" meet at "practic" and "chang".
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def content_stems(text: str) -> set[str]:
    """Return the stems of a text's content words (stopwords and one-letter words dropped)."""
    return {stem(word) for word in words(text) if word not in STOPWORDS and len(word) > 1}


def _has_phrase(tokens: Sequence[str], phrases: Iterable[str]) -> list[str]:
    found = []
    padded = f" {' '.join(tokens)} "
    for phrase in phrases:
        if f" {phrase} " in padded:
            found.append(phrase)
    return found


def absolutes_in(text: str) -> list[str]:
    """Return the absolute words and phrases a text contains, in the order of ABSOLUTES."""
    return _has_phrase(words(text), ABSOLUTES)


def hedges_in(text: str) -> list[str]:
    """Return the hedging words and phrases a text contains, in the order of HEDGES."""
    return _has_phrase(words(text), HEDGES)


def ngrams(tokens: Sequence[str], longest: int) -> set[tuple[str, ...]]:
    """Return every run of 1 to longest consecutive tokens."""
    return {
        tuple(tokens[start : start + size]) for size in range(1, longest + 1) for start in range(len(tokens) - size + 1)
    }


def longest_shared_run(tokens: Sequence[str], runs: set[tuple[str, ...]], longest: int) -> tuple[str, ...]:
    """Return the longest run of consecutive tokens that is in runs (built by ngrams with this longest)."""
    best: tuple[str, ...] = ()
    for start in range(len(tokens)):
        size = len(best) + 1
        while start + size <= len(tokens) and size <= longest and tuple(tokens[start : start + size]) in runs:
            best = tuple(tokens[start : start + size])
            size += 1
    return best


def key_texts(question: Question) -> list[str]:
    """Return the texts a question marks as right: its key options, or a true statement."""
    if question.type == "single":
        return [option.text for option in question.options if option.id == question.answer_id]
    if question.type == "multiple":
        return [option.text for option in question.options if option.id in question.answer_ids]
    if question.type == "true_false":
        return [question.prompt] if question.answer else []
    if question.type == "matching":
        matches = {match.id: match.text for match in question.matches}
        return [f"{term.text} {matches[question.key[term.id]]}" for term in question.terms]
    if question.type == "ordering":
        return [item.text for item in question.sequence]
    return []


def distractor_texts(question: Question) -> list[str]:
    """Return the texts of a choice question's wrong options (empty for other types)."""
    if question.type == "single":
        return [option.text for option in question.options if option.id != question.answer_id]
    if question.type == "multiple":
        return [option.text for option in question.options if option.id not in question.answer_ids]
    return []


def item_text(question: Question) -> str:
    """Return everything a learner reads in an item: prompt and every option, term and match."""
    parts = [question.prompt]
    for attribute in ("options", "sequence", "terms", "matches"):
        parts.extend(option.text for option in getattr(question, attribute, ()))
    return " ".join(parts)


def is_name(text: str) -> bool:
    """Tell whether a text is a proper name (an organization, a credential): names can only be copied."""
    significant = [word for word in re.findall(r"[A-Za-z][\w'’]*", text) if word.lower() not in STOPWORDS]
    capitalized = [word for word in significant if word[0].isupper()]
    return bool(significant) and len(capitalized) >= NAME_SHARE * len(significant)
