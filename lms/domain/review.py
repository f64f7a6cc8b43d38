"""A submitted answer marked part by part: each chosen option, position or pair right or wrong.

Each built-in question type has a marker in MARKERS; a type without one (a plug-in) is reviewed
as its described answer, judged only as a whole by the grade the page already shows. The key
(right options not chosen, the right item or match for a wrong part) is added only when the
caller says it may be shown, so a page that must not show it never receives it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from .grading import PresentedQuestion
from .questions import Option, Question, Response
from .questions.matching import MatchingQuestion
from .questions.multiple import MultipleResponseQuestion
from .questions.ordering import OrderingQuestion
from .questions.single import SingleChoiceQuestion
from .questions.true_false import LABELS, TrueFalseQuestion


class Verdict(StrEnum):
    RIGHT = "right"  # chosen, and right
    WRONG = "wrong"  # chosen, and wrong
    MISSED = "missed"  # right, not chosen (only when the key may be shown)


@dataclass(frozen=True)
class Mark:
    """One part of a reviewed answer: its text, the verdict (None: not judged), and the right part when shown."""

    text: str
    verdict: Verdict | None
    key: str | None = None


Marker = Callable[[Question, Response, PresentedQuestion | None, bool, str], list[Mark]]
MARKERS: dict[str, Marker] = {}


def marker(question_type: str) -> Callable[[Marker], Marker]:
    """Register a function as the marker of a question type."""

    def register(function: Marker) -> Marker:
        MARKERS[question_type] = function
        return function

    return register


def mark_answer(
    question: Question, response: Response, shown: PresentedQuestion | None, show_key: bool, removed: str
) -> list[Mark]:
    """Return a stored answer marked part by part; blank answers have no parts (but the key, when shown)."""
    mark = MARKERS.get(question.type)
    if mark is not None:
        return mark(question, response, shown, show_key, removed)
    return [] if response is None else [Mark(line, None) for line in question.describe(response, removed)]


def _in_shown_order(options: Sequence[Option], shown: PresentedQuestion | None, order: str = "o") -> list[Option]:
    """Return options in the order the attempt showed them (the pack's order lists the key first)."""
    wanted = (shown.option_order if order == "o" else shown.term_order) if shown else ()
    by_id = {option.id: option for option in options}
    if set(wanted) == set(by_id):
        return [by_id[option_id] for option_id in wanted]
    return sorted(options, key=lambda option: option.text)


@marker(SingleChoiceQuestion.type)
def _mark_single(question, response, shown, show_key, removed):
    texts = Option.texts(question.options)
    marks = []
    if response is not None:
        verdict = Verdict.RIGHT if response == question.answer_id else Verdict.WRONG
        marks.append(Mark(texts.get(response, removed), verdict))
    if show_key and response != question.answer_id:
        marks.append(Mark(texts[question.answer_id], Verdict.MISSED))
    return marks


@marker(MultipleResponseQuestion.type)
def _mark_multiple(question, response, shown, show_key, removed):
    chosen = response or frozenset()
    marks = []
    for option in _in_shown_order(question.options, shown):
        if option.id in chosen:
            marks.append(Mark(option.text, Verdict.RIGHT if option.id in question.answer_ids else Verdict.WRONG))
        elif show_key and option.id in question.answer_ids:
            marks.append(Mark(option.text, Verdict.MISSED))
    known = {option.id for option in question.options}
    marks.extend(Mark(removed, Verdict.WRONG) for _ in chosen - known)
    return marks


@marker(TrueFalseQuestion.type)
def _mark_true_false(question, response, shown, show_key, removed):
    marks = []
    if response is not None:
        marks.append(Mark(LABELS[bool(response)], Verdict.RIGHT if response is question.answer else Verdict.WRONG))
    if show_key and response is not question.answer:
        marks.append(Mark(LABELS[question.answer], Verdict.MISSED))
    return marks


@marker(OrderingQuestion.type)
def _mark_ordering(question, response, shown, show_key, removed):
    texts = Option.texts(question.sequence)
    marks = []
    for position, item in enumerate(response or (), start=1):
        right = question.sequence[position - 1] if position <= len(question.sequence) else None
        verdict = Verdict.RIGHT if right is not None and right.id == item else Verdict.WRONG
        key = right.text if show_key and verdict is Verdict.WRONG and right is not None else None
        marks.append(Mark(f"{position}. {texts.get(item, removed)}", verdict, key))
    if show_key and not response:
        marks.extend(Mark(f"{n}. {item.text}", Verdict.MISSED) for n, item in enumerate(question.sequence, start=1))
    return marks


@marker(MatchingQuestion.type)
def _mark_matching(question, response, shown, show_key, removed):
    matches = Option.texts(question.matches)
    marks = []
    for term in _in_shown_order(question.terms, shown, order="t"):
        right = matches[question.key[term.id]]
        if response and term.id in response:
            chosen = response[term.id]
            verdict = Verdict.RIGHT if chosen == question.key[term.id] else Verdict.WRONG
            key = right if show_key and verdict is Verdict.WRONG else None
            marks.append(Mark(f"{term.text} → {matches.get(chosen, removed)}", verdict, key))
        elif show_key:
            marks.append(Mark(f"{term.text} → {right}", Verdict.MISSED))
    return marks
