"""A test-wise guesser that never reads the lessons: cue strategies scored with the real grading code.

Each strategy answers a question from what the learner sees on the quiz page alone (prompt,
options, terms), falling back to a random guess where its cue says nothing. A bank's expected
score under a strategy is the expected score of one attempt: the mean credit of each item,
weighted by how often the blueprint draw (lms.domain.drawing) puts it in a first attempt.

Run against any pack (a folder holding content/ and quizzes/):

    .venv/bin/python -m tests.guessing [PACK] [--items] [--learners N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

from lms.domain.course import Course, Lesson, Question
from lms.domain.drawing import draw_attempt
from lms.domain.grading import Response, credit_for, draw_questions, grade_attempt
from lms.domain.loading import load_course_pack
from lms.domain.readiness import SectionAttempts, readiness_for
from lms.domain.wording import absolutes_in, content_stems, hedges_in, words


class Option(Protocol):
    """What a strategy sees of an option, term or match: its id and its text."""

    id: str
    text: str


Strategy = Callable[[Question, random.Random], Response]
Draw = Callable[[Lesson, int, random.Random, frozenset[str]], Sequence[str]]
MARGIN = 20  # a strategy fails the bank's quiz by at least this many points below the pass mark


@cache
def _stems(text: str) -> frozenset[str]:
    return frozenset(content_stems(text))


@cache
def _absolute(text: str) -> bool:
    return bool(absolutes_in(text))


@cache
def _hedged(text: str) -> bool:
    return bool(hedges_in(text))


def _best(options: Sequence[Option], score: Callable[[Option], float], rng: random.Random) -> Option:
    """Return one of the options with the highest score, ties broken at random."""
    top = max(score(option) for option in options)
    return rng.choice([option for option in options if score(option) == top])


def _random_subset(options: Sequence[Option], rng: random.Random) -> frozenset[str]:
    while True:
        chosen = frozenset(option.id for option in options if rng.random() < 0.5)
        if chosen:
            return chosen


def _above_mean(options: Sequence[Option], score: Callable[[Option], float], rng: random.Random) -> frozenset[str]:
    """Return the options scoring at or above the mean, or a random subset when all score alike."""
    scores = [score(option) for option in options]
    if len(set(scores)) == 1:
        return _random_subset(options, rng)
    mean = statistics.fmean(scores)
    return frozenset(option.id for option, value in zip(options, scores, strict=True) if value >= mean)


# The course's title says it is about the business side of a practice: a learner who never
# opened a lesson still rejects options about treating patients.
_CLINICAL = ("treat", "diagnos", "surg", "prescrib", "medicat", "nurs", "physician", "clinic", "examin", "therap")


@cache
def _clinical(text: str) -> bool:
    return any(word.startswith(_CLINICAL) for word in _stems(text))


def _without(options: Sequence[Option], *flaws: Callable[[str], bool]) -> list[Option]:
    """Return the options showing none of the flaws, or all of them when that would keep none or all."""
    kept = [option for option in options if not any(flaw(option.text) for flaw in flaws)]
    return kept if kept and len(kept) < len(options) else list(options)


def _without_absolutes(options: Sequence[Option]) -> list[Option]:
    return _without(options, _absolute)


# --- answers by type ------------------------------------------------------------------------------


def random_answer(question: Question, rng: random.Random) -> Response:
    """Guess blindly: any option, a random non-empty set, a coin, a random order or pairing."""
    if question.type == "single":
        return rng.choice(question.options).id
    if question.type == "multiple":
        return _random_subset(question.options, rng)
    if question.type == "true_false":
        return rng.random() < 0.5
    if question.type == "ordering":
        return tuple(item.id for item in rng.sample(question.sequence, len(question.sequence)))
    if question.type == "matching":
        matches = rng.sample(question.matches, len(question.terms))
        return {term.id: match.id for term, match in zip(question.terms, matches, strict=True)}
    raise TypeError(f"no random answer for {question.type!r}")


def _absolute_rule(question: Question) -> bool:
    """False when the statement is sweeping, true otherwise (hedged or plain)."""
    return not _absolute(question.prompt)


def _prompt_words(question: Question) -> Callable[[Option], float]:
    prompt = _stems(question.prompt)
    return lambda option: len(_stems(option.text) & prompt)


def _convergence(options: Sequence[Option]) -> Callable[[Option], float]:
    """Score each option by the words it shares with the others: the odd one out scores lowest."""
    return lambda option: sum(len(_stems(option.text) & _stems(other.text)) for other in options if other != option)


_LIFE_COURSE = (
    ("stay", "updat", "current", "continu", "keep", "lifelong"),  # checked first: "continuing education"
    ("school", "diploma", "ged", "educat", "degree", "bachelor", "associat", "obtain", "study"),
    ("entry", "job", "experienc", "volunteer", "practical", "train"),
    ("skill", "develop", "respons"),
    ("certif", "exam", "credential"),
    ("network", "mentor", "connect", "join"),
)
_LIFE_RANK = (5, 0, 1, 2, 3, 4)


def _life_course_rank(text: str) -> int:
    """Rank a career stage by common sense (school, job, skills, credential, network, keeping up)."""
    stems = _stems(text)
    for group, rank in zip(_LIFE_COURSE, _LIFE_RANK, strict=True):
        if any(word.startswith(prefix) for word in stems for prefix in group):
            return rank
    return 2


def _life_course_order(question: Question, rng: random.Random) -> tuple[str, ...]:
    shuffled = rng.sample(question.sequence, len(question.sequence))
    return tuple(item.id for item in sorted(shuffled, key=lambda item: _life_course_rank(item.text)))


def _initials(text: str) -> str:
    return "".join(word[0] for word in words(text) if word not in ("of", "and", "the", "for"))


def _pair_score(term: Option, match: Option) -> float:
    shared = len(_stems(term.text) & _stems(match.text))
    letters = "".join(words(term.text))
    acronym = len(letters) >= 2 and (
        letters == _initials(match.text) or "".join(words(match.text)) == _initials(term.text)
    )
    return shared + (3 if acronym else 0)


def _word_matching(question: Question, rng: random.Random) -> dict[str, str]:
    """Pair terms and matches that share words or initials, best pairs first; the rest at random."""
    candidates = [(term, match) for term in question.terms for match in question.matches]
    rng.shuffle(candidates)
    candidates.sort(key=lambda pair: _pair_score(*pair), reverse=True)
    answer: dict[str, str] = {}
    used: set[str] = set()
    for term, match in candidates:
        if _pair_score(term, match) > 0 and term.id not in answer and match.id not in used:
            answer[term.id] = match.id
            used.add(match.id)
    free = [match.id for match in question.matches if match.id not in used]
    rng.shuffle(free)
    for term in question.terms:
        if term.id not in answer:
            answer[term.id] = free.pop()
    return answer


# --- strategies -----------------------------------------------------------------------------------


def longest(question: Question, rng: random.Random) -> Response:
    """Pick the longest option; in multiple response, every option of at least average length."""
    if question.type == "single":
        return _best(question.options, lambda option: len(option.text), rng).id
    if question.type == "multiple":
        return _above_mean(question.options, lambda option: len(option.text), rng)
    return random_answer(question, rng)


def shortest(question: Question, rng: random.Random) -> Response:
    """Pick the shortest option (a bank that over-corrects long keys teaches this cue instead)."""
    if question.type == "single":
        return _best(question.options, lambda option: -len(option.text), rng).id
    if question.type == "multiple":
        return _above_mean(question.options, lambda option: -len(option.text), rng)
    return random_answer(question, rng)


def absolutes(question: Question, rng: random.Random) -> Response:
    """Absolutes are wrong, hedges right: reject sweeping options, mark sweeping statements false."""
    if question.type == "true_false":
        return _absolute_rule(question)
    if question.type == "single":
        kept = _without_absolutes(question.options)
        return _best(kept, lambda option: float(_hedged(option.text)), rng).id
    if question.type == "multiple":
        kept = _without_absolutes(question.options)
        if len(kept) < len(question.options):
            return frozenset(option.id for option in kept)
        return _above_mean(question.options, lambda option: float(_hedged(option.text)), rng)
    return random_answer(question, rng)


def prompt_words(question: Question, rng: random.Random) -> Response:
    """Pick the options that repeat the prompt's words; pair matching items by shared words."""
    if question.type == "single":
        return _best(question.options, _prompt_words(question), rng).id
    if question.type == "multiple":
        return _above_mean(question.options, _prompt_words(question), rng)
    if question.type == "matching":
        return _word_matching(question, rng)
    return random_answer(question, rng)


def odd_one_out(question: Question, rng: random.Random) -> Response:
    """Avoid the option least like the others: the key tends to share the others' words."""
    if question.type == "single":
        return _best(question.options, _convergence(question.options), rng).id
    if question.type == "multiple":
        return _above_mean(question.options, _convergence(question.options), rng)
    return random_answer(question, rng)


def off_domain(question: Question, rng: random.Random) -> Response:
    """Reject clinical options (the course is about the business side), then guess among the rest."""
    if question.type == "single":
        return rng.choice(_without(question.options, _clinical)).id
    if question.type == "multiple":
        kept = _without(question.options, _clinical)
        if len(kept) < len(question.options):
            return frozenset(option.id for option in kept)
    return random_answer(question, rng)


def test_wise(question: Question, rng: random.Random) -> Response:
    """Combine the cues: drop absolute and clinical options, then take the longest; absolutes rule for
    true/false; common-sense career order for ordering; shared words and initials for matching."""
    if question.type == "true_false":
        return _absolute_rule(question)
    if question.type == "single":
        return _best(_without(question.options, _absolute, _clinical), lambda option: len(option.text), rng).id
    if question.type == "multiple":
        kept = _without(question.options, _absolute, _clinical)
        if len(kept) < len(question.options):
            return frozenset(option.id for option in kept)
        return _above_mean(question.options, lambda option: len(option.text), rng)
    if question.type == "ordering":
        return _life_course_order(question, rng)
    if question.type == "matching":
        return _word_matching(question, rng)
    return random_answer(question, rng)


def contrarian(question: Question, rng: random.Random) -> Response:
    """Do the opposite of test-wise: a bank that hides every cue by reversing it teaches the reverse."""
    if question.type == "true_false":
        return not test_wise(question, rng)
    if question.type == "single":
        avoided = test_wise(question, rng)
        return rng.choice([option.id for option in question.options if option.id != avoided])
    if question.type == "multiple":
        rest = frozenset(option.id for option in question.options) - test_wise(question, rng)
        return rest or _random_subset(question.options, rng)
    return random_answer(question, rng)


STRATEGIES: dict[str, Strategy] = {
    "random": random_answer,
    "longest": longest,
    "shortest": shortest,
    "absolutes": absolutes,
    "prompt-words": prompt_words,
    "odd-one-out": odd_one_out,
    "off-domain": off_domain,
    "test-wise": test_wise,
    "contrarian": contrarian,
}


# --- scoring --------------------------------------------------------------------------------------


def uniform_draw(lesson: Lesson, count: int, rng: random.Random, seen: frozenset[str]) -> Sequence[str]:
    """Draw as the engine does without a blueprint: a plain random sample of the bank."""
    return [shown.question_id for shown in draw_questions(lesson.questions, count, rng)]


def blueprint_draw(lesson: Lesson, count: int, rng: random.Random, seen: frozenset[str]) -> Sequence[str]:
    """Draw as start_attempt does: every objective covered, unseen questions first."""
    return [shown.question_id for shown in draw_attempt(lesson, count, rng, seen)]


DEFAULT_DRAW: Draw = blueprint_draw


def item_credit(question: Question, strategy: Strategy, rng: random.Random, samples: int) -> float:
    """Return a strategy's mean credit on one question over samples answers, graded by credit_for."""
    return statistics.fmean(credit_for(question, strategy(question, rng)) for _ in range(samples))


def inclusion(lesson: Lesson, count: int, draw: Draw, rng: random.Random, draws: int) -> dict[str, float]:
    """Return each question's share of attempt slots over many first-attempt draws (sums to 1)."""
    counts: Counter[str] = Counter()
    for _ in range(draws):
        counts.update(draw(lesson, count, rng, frozenset()))
    total = sum(counts.values())
    return {question.id: counts[question.id] / total for question in lesson.questions}


@dataclass(frozen=True)
class BankScore:
    """One strategy's expected attempt score on one bank, with each item's expected credit."""

    lesson_id: str
    strategy: str
    expected: float  # percent
    credits: dict[str, float]


def expected_scores(
    course: Course,
    strategies: dict[str, Strategy] | None = None,
    draw: Draw | None = None,
    samples: int = 60,
    draws: int = 400,
    seed: int = 2026,
) -> list[BankScore]:
    """Return every strategy's expected attempt score on every bank of the course."""
    rng = random.Random(seed)
    strategies = strategies or STRATEGIES
    results = []
    for lesson in course.lessons:
        weights = inclusion(lesson, course.quiz.questions_per_attempt, draw or DEFAULT_DRAW, rng, draws)
        for name, strategy in strategies.items():
            credits = {q.id: item_credit(q, strategy, rng, samples) for q in lesson.questions}
            expected = 100.0 * sum(weights[qid] * credit for qid, credit in credits.items())
            results.append(BankScore(lesson.id, name, expected, credits))
    return results


def readiness_chances(
    course: Course, strategy: Strategy, learners: int = 200, draw: Draw | None = None, seed: int = 7
) -> tuple[dict[str, float], float]:
    """Simulate non-readers taking every attempt: return each quiz's pass chance and the top band's share."""
    rng = random.Random(seed)
    draw = draw or DEFAULT_DRAW
    by_id = {question.id: question for lesson in course.lessons for question in lesson.questions}
    passed: Counter[str] = Counter()
    top = 0
    attempts = course.quiz.max_attempts or 3
    for _ in range(learners):
        sections = {}
        for lesson in course.lessons:
            seen: frozenset[str] = frozenset()
            scores = []
            for _ in range(attempts):
                ids = draw(lesson, course.quiz.questions_per_attempt, rng, seen)
                seen |= set(ids)
                questions = [by_id[qid] for qid in ids]
                responses = {q.id: strategy(q, rng) for q in questions}
                scores.append(grade_attempt(questions, responses, course.quiz.pass_mark).score)
            sections[lesson.id] = SectionAttempts.from_scores(scores, course.quiz.pass_mark)
            passed[lesson.id] += sections[lesson.id].passed
        readiness = readiness_for(course.readiness, course.lesson_ids, sections)
        top += readiness.band == course.readiness.bands[0].name
    return {lesson_id: passed[lesson_id] / learners for lesson_id in course.lesson_ids}, top / learners


def too_guessable(course: Course, results: Sequence[BankScore]) -> list[BankScore]:
    """Return the bank scores that reach the pass mark minus MARGIN points."""
    limit = course.quiz.pass_mark - MARGIN
    return [result for result in results if result.expected >= limit - 1e-9]


def report(course: Course, results: Sequence[BankScore], show_items: bool = False) -> str:
    """Format the expected scores as a table, the failures, and optionally the items that give themselves away."""
    names = list(dict.fromkeys(result.strategy for result in results))
    limit = course.quiz.pass_mark - MARGIN
    lines = [f"Expected attempt score (%) of each guessing strategy; limit {limit:g} (pass mark - {MARGIN})"]
    lines.append(f"{'bank':<12}" + "".join(f"{name:>14}" for name in names))
    table = {(result.lesson_id, result.strategy): result for result in results}
    for lesson in course.lessons:
        cells = "".join(f"{table[lesson.id, name].expected:>14.1f}" for name in names)
        lines.append(f"{lesson.id:<12}{cells}")
    over = too_guessable(course, results)
    for result in over:
        lines.append(
            f"TOO GUESSABLE: {result.lesson_id} with {result.strategy}: {result.expected:.1f}"
            f" >= {limit:g} (by {result.expected - limit:.1f} points)"
        )
    if not over:
        lines.append(f"OK: every strategy stays below {limit:g} on every bank")
    if show_items:
        lines.extend(_giveaways(course, results))
    return "\n".join(lines)


def _giveaways(course: Course, results: Sequence[BankScore]) -> list[str]:
    lines = ["Items a cue strategy answers with at least 0.75 expected credit (random excluded):"]
    for lesson in course.lessons:
        for question in lesson.questions:
            cues = [
                f"{result.strategy} {result.credits[question.id]:.2f}"
                for result in results
                if result.lesson_id == lesson.id and result.strategy != "random" and result.credits[question.id] >= 0.75
            ]
            if cues:
                lines.append(f"  {question.id} ({question.type}): {', '.join(cues)}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Print the guessing report for a pack; exit 1 when a strategy reaches the limit."""
    parser = argparse.ArgumentParser(prog="python -m tests.guessing", description=__doc__.splitlines()[0])
    parser.add_argument("pack", nargs="?", default=".", type=Path, help="folder holding content/ and quizzes/")
    parser.add_argument("--items", action="store_true", help="list the items that give themselves away")
    parser.add_argument("--learners", type=int, default=200, help="simulated non-readers for the pass chances")
    args = parser.parse_args(argv)
    course = load_course_pack(args.pack)
    results = expected_scores(course)
    print(report(course, results, args.items))
    passes, ready = readiness_chances(course, test_wise, args.learners)
    chances = ", ".join(f"{lesson_id} {share:.0%}" for lesson_id, share in passes.items())
    print(f"Simulated test-wise non-readers ({args.learners}, every attempt taken): pass {chances};")
    print(f"  reach {course.readiness.bands[0].name!r}: {ready:.0%}")
    return 1 if too_guessable(course, results) else 0


if __name__ == "__main__":
    sys.exit(main())
