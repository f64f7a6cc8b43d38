"""Item-writing lint: warn about quiz items a test-wise learner could answer without reading the lesson."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations

from .course import (
    Course,
    Lesson,
    Question,
)
from .wording import (
    absolutes_in,
    content_stems,
    distractor_texts,
    is_name,
    item_text,
    key_texts,
    longest_shared_run,
    ngrams,
    words,
)

# Thresholds, tuned on the 2026-12-01 banks against the content review's findings
# (shared/reviews/content-review.md): see docs/authoring.md, "The item-writing linter".
LONG_KEY_RATIO = 1.3  # the review's "L": a key at least 30 % longer than every distractor
TRUE_FALSE_MAJORITY = 0.75  # a bank whose true/false keys lean this far one way
LONGEST_KEY_SHARE = 0.5  # a bank where the key is the longest option this often teaches the cue
COPY_RUN = 6  # words copied in a row from the lesson
COPY_SHARE = 0.8  # ... or this share of a shorter key, when it is at least COPY_MIN_WORDS long
COPY_MIN_WORDS = 5
ECHO_SHARE = 0.75  # a true statement holding this share of one lesson block's content words is a near copy
MIN_ITEMS_PER_OBJECTIVE = 3
OFF_VOCABULARY = 0.5  # an option is off the lesson's vocabulary when at most this share of its content words are in it
ON_VOCABULARY = 0.75  # ... and the key is on it when at least this share are
OVERLAP_SHARE = 0.6  # share of the smaller item's content words found in the other item
OVERLAP_MIN_WORDS = 6
OVERLAP_RUN = 6  # or this many words in a row shared by two items
RESTATE_SHARE = 0.6  # share of a key's content words that a matching pair repeats
RESTATE_MIN_SHARED = 2
COMMON_SHARE = 0.25  # words in this share of a bank's items (manager, office...) prove no overlap
COMMON_MIN_ITEMS = 4
_LONGEST_RUN = 40


@dataclass(frozen=True, order=True)
class LintWarning:
    """One item-writing warning: where, which item, which rule, why, and how to fix it."""

    file: str
    item: str
    rule: str
    message: str
    hint: str

    def __str__(self) -> str:
        return f"{self.file}: {self.item}: {self.message} [{self.rule}]\n    hint: {self.hint}"


class _LessonText:
    """The lesson's words, prepared once: runs of words per block and the content-word vocabulary."""

    def __init__(self, lesson: Lesson):
        self.runs: set[tuple[str, ...]] = set()
        self.block_stems = [content_stems(block.text) for block in lesson.blocks]
        self.vocabulary: set[str] = set().union(*self.block_stems)
        for block in lesson.blocks:
            self.runs |= ngrams(words(block.text), _LONGEST_RUN)

    def copied_run(self, text: str) -> tuple[str, ...]:
        """Return the longest run of the text's words that stands in one block of the lesson."""
        return longest_shared_run(words(text), self.runs, _LONGEST_RUN)

    def copied(self, text: str) -> str | None:
        """Return the words of text copied in a row from the lesson, if long enough to count."""
        tokens, run = words(text), self.copied_run(text)
        long_enough = len(run) >= COPY_RUN
        most_of_it = len(tokens) >= COPY_MIN_WORDS and len(run) >= COPY_SHARE * len(tokens)
        return " ".join(run) if long_enough or most_of_it else None

    def echoed(self, text: str) -> float:
        """Return the largest share of the text's content words that one block of the lesson holds."""
        stems = content_stems(text)
        if len(stems) < COPY_MIN_WORDS:
            return 0.0
        return max(len(stems & block) for block in self.block_stems) / len(stems)

    def coverage(self, text: str) -> float:
        """Return the share of a text's content words that the lesson uses."""
        return coverage(text, self.vocabulary)


def coverage(text: str, vocabulary: set[str]) -> float:
    """Return the share of a text's content words found in vocabulary (1.0 for no content words)."""
    stems = content_stems(text)
    return len(stems & vocabulary) / len(stems) if stems else 1.0


def course_vocabulary(course: Course) -> set[str]:
    """Return the content-word stems of every lesson of the course."""
    return {stem for lesson in course.lessons for block in lesson.blocks for stem in content_stems(block.text)}


def _short(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def _long_key(file: str, question: Question) -> Iterator[LintWarning]:
    keys, distractors = key_texts(question), distractor_texts(question)
    if not distractors or not keys or question.type == "true_false":
        return
    shortest_key, longest_distractor = min(map(len, keys)), max(map(len, distractors))
    if shortest_key >= LONG_KEY_RATIO * longest_distractor:
        which = "the key is" if len(keys) == 1 else "every key is"
        yield LintWarning(
            file,
            question.id,
            "long-key",
            f"{which} {shortest_key / longest_distractor:.1f}x as long as the longest distractor"
            f" ({shortest_key} against {longest_distractor} characters)",
            "test-wise learners pick the longest option: shorten the key or give the distractors"
            " the same length and detail",
        )


def _copied(file: str, question: Question, text: _LessonText) -> Iterator[LintWarning]:
    if question.type == "true_false":
        if question.answer:
            yield from _copied_statement(file, question, text)
        return
    if question.type in ("matching", "ordering"):
        return
    # A short key copied whole counts only in a single-choice item whose distractors are not
    # copied too (then the lesson's wording singles the key out); multiple-response keys are
    # often the lesson's own list items, so only long copies count there.
    short_counts = question.type == "single" and not any(
        text.copied(distractor) for distractor in distractor_texts(question)
    )
    for key in key_texts(question):
        run = text.copied(key)
        if run is None or is_name(key) or (len(run.split()) < COPY_RUN and not short_counts):
            continue
        yield LintWarning(
            file,
            question.id,
            "copied-key",
            f"the key {_short(key)} copies the lesson word for word: {_short(run, 80)}",
            "a learner who recognises the lesson's sentence need not understand it: paraphrase the"
            " key, or ask for an application (a scenario) instead of recall",
        )


def _copied_statement(file: str, question: Question, text: _LessonText) -> Iterator[LintWarning]:
    run, echo = text.copied(question.prompt), text.echoed(question.prompt)
    if run is None and echo < ECHO_SHARE:
        return
    detail = f"copies the lesson word for word: {_short(run, 80)}" if run else f"repeats {echo:.0%} of a lesson block"
    yield LintWarning(
        file,
        question.id,
        "copied-statement",
        f"the true statement {detail}",
        "a lesson sentence read back is near-certain to be marked true: turn it into a judgment or"
        " a scenario, in your own words",
    )


def _absolute_in_false(file: str, question: Question) -> Iterator[LintWarning]:
    if question.type != "true_false" or question.answer:
        return
    found = absolutes_in(question.prompt)
    if found:
        yield LintWarning(
            file,
            question.id,
            "absolute-false",
            f"the false statement carries the absolute {', '.join(map(repr, found))}",
            "test-wise learners mark every absolute false: make the statement wrong in substance"
            " (another step, duty or body), worded as moderately as a true one",
        )


def _absolute_distractors(file: str, question: Question) -> Iterator[LintWarning]:
    keys, distractors = key_texts(question), distractor_texts(question)
    if not distractors or any(absolutes_in(key) for key in keys):
        return
    flagged = [distractor for distractor in distractors if absolutes_in(distractor)]
    if flagged and len(flagged) * 2 >= len(distractors):
        yield LintWarning(
            file,
            question.id,
            "absolute-distractor",
            f"{len(flagged)} of {len(distractors)} distractors, and no key, carry absolutes:"
            f" {', '.join(_short(text, 50) for text in flagged)}",
            "a sweeping option is easy to reject unread: use a plausible, moderate option from the"
            " same domain that the lesson rules out",
        )


def _off_vocabulary(file: str, question: Question, text: _LessonText, course: set[str]) -> Iterator[LintWarning]:
    keys, distractors = key_texts(question), distractor_texts(question)
    if not distractors or min(text.coverage(key) for key in keys) < ON_VOCABULARY:
        return
    # Measured against the whole course: a distractor taken from another lesson is same-domain.
    flagged = [distractor for distractor in distractors if coverage(distractor, course) <= OFF_VOCABULARY]
    if len(flagged) * 2 >= len(distractors):
        yield LintWarning(
            file,
            question.id,
            "off-vocabulary",
            f"the key uses the lesson's words, but {len(flagged)} of {len(distractors)} distractors"
            f" do not: {', '.join(_short(text, 50) for text in flagged)}",
            "options no reader would pick (clinical tasks, absurdities) leave the key alone: take"
            " distractors from the lesson's own domain (another duty, step or organization)",
        )


def _thin_objectives(file: str, lesson: Lesson) -> Iterator[LintWarning]:
    for objective in lesson.objectives:
        count = len(lesson.questions_for(objective.id))
        if count < MIN_ITEMS_PER_OBJECTIVE:
            yield LintWarning(
                file,
                f"objective {objective.id}",
                "thin-objective",
                f"the objective has {count} item{'s' if count != 1 else ''}"
                f" (at least {MIN_ITEMS_PER_OBJECTIVE} wanted)",
                "every attempt measures every objective, so its few items come back in every attempt:"
                " write more items that name it in `objectives`",
            )


def _longest_key_pattern(file: str, lesson: Lesson) -> Iterator[LintWarning]:
    singles = [question for question in lesson.questions if question.type == "single"]
    longest = [
        question.id for question in singles if len(key_texts(question)[0]) > max(map(len, distractor_texts(question)))
    ]
    if len(singles) >= 4 and len(longest) >= LONGEST_KEY_SHARE * len(singles):
        yield LintWarning(
            file,
            "bank",
            "longest-key-pattern",
            f"in {len(longest)} of {len(singles)} single-choice items the key is the longest option"
            f" ({', '.join(longest)})",
            "make the key the longest option no more often than any other option: about one item in"
            " as many as there are options",
        )


def _asserted(question: Question) -> str:
    """Return what an item states as right: its prompt and its key texts."""
    return " ".join([question.prompt, *key_texts(question)])


def _true_false_balance(file: str, lesson: Lesson) -> Iterator[LintWarning]:
    answers = [question.answer for question in lesson.questions if question.type == "true_false"]
    majority = max(answers.count(True), answers.count(False))
    if len(answers) >= 4 and majority >= TRUE_FALSE_MAJORITY * len(answers):
        value = "true" if answers.count(True) == majority else "false"
        yield LintWarning(
            file,
            "bank",
            "true-false-balance",
            f"{majority} of {len(answers)} true/false items are {value}",
            f"a learner who answers {value!r} every time scores well: balance true and false statements",
        )


def _overlapping(file: str, first: Question, second: Question, common: set[str]) -> Iterator[LintWarning]:
    a, b = _asserted(first), _asserted(second)
    stems_a, stems_b = content_stems(a) - common, content_stems(b) - common
    smaller = min(len(stems_a), len(stems_b))
    share = len(stems_a & stems_b) / smaller if smaller else 0.0
    run = _shared_run(a, b)
    if (smaller >= OVERLAP_MIN_WORDS and share >= OVERLAP_SHARE) or len(run) >= OVERLAP_RUN:
        detail = f"both say {_short(' '.join(run))}" if len(run) >= OVERLAP_RUN else f"{share:.0%} of the words shared"
        yield LintWarning(
            file,
            f"{first.id} / {second.id}",
            "overlap",
            f"the two items overlap heavily ({detail})",
            "one item can give the other away and a draw of both tests one idea twice: merge them,"
            " or make them ask about different facts",
        )


def _shared_run(a: str, b: str) -> tuple[str, ...]:
    """Return the longest run of words two texts share, names (capitalized runs) left out."""
    run = longest_shared_run(words(a), ngrams(words(b), _LONGEST_RUN), _LONGEST_RUN)
    original = re.search(r"\W+".join(map(re.escape, run)), a, re.IGNORECASE) if run else None
    return () if original is not None and is_name(original.group()) else run


def _restating_pairs(file: str, matching: Question, other: Question, common: set[str]) -> Iterator[LintWarning]:
    # A pair gives an item away when it links the item's prompt to its key: one side of the
    # pair echoes the prompt, and the pair repeats the key's own words.
    prompt = content_stems(other.prompt) - common
    for pair in key_texts(matching):
        pair_stems = content_stems(pair) - common
        for key in key_texts(other):
            key_stems = content_stems(key) - common - (set() if other.type == "true_false" else prompt)
            shared = pair_stems & key_stems
            linked = bool(pair_stems & prompt) or len(shared) >= RESTATE_SHARE * len(key_stems)
            if len(shared) >= RESTATE_MIN_SHARED and linked:
                yield LintWarning(
                    file,
                    f"{matching.id} / {other.id}",
                    "matching-restates-key",
                    f"the pair {_short(pair, 70)} restates the key {_short(key, 70)}",
                    "a learner can copy the answer from the matching item: match terms to situations,"
                    " in words no other item uses as its key",
                )
                return


def bank_common_stems(lesson: Lesson) -> set[str]:
    """Return the content stems found in so many of the bank's items that sharing them proves nothing."""
    counts: dict[str, int] = {}
    for question in lesson.questions:
        for stem in content_stems(item_text(question)):
            counts[stem] = counts.get(stem, 0) + 1
    least = max(COMMON_MIN_ITEMS, COMMON_SHARE * len(lesson.questions))
    return {stem for stem, count in counts.items() if count >= least}


def lint_lesson(lesson: Lesson, vocabulary: set[str] | None = None) -> list[LintWarning]:
    """Return every item-writing warning for one lesson's bank; vocabulary: the course's (default: the lesson's)."""
    file = f"quizzes/{lesson.id}.yaml"
    text = _LessonText(lesson)
    vocabulary = text.vocabulary if vocabulary is None else vocabulary
    warnings: list[LintWarning] = []
    for question in lesson.questions:
        warnings.extend(_long_key(file, question))
        warnings.extend(_copied(file, question, text))
        warnings.extend(_absolute_in_false(file, question))
        warnings.extend(_absolute_distractors(file, question))
        warnings.extend(_off_vocabulary(file, question, text, vocabulary))
    warnings.extend(_longest_key_pattern(file, lesson))
    warnings.extend(_true_false_balance(file, lesson))
    common = bank_common_stems(lesson)
    for first, second in combinations(lesson.questions, 2):
        restating = [
            warning
            for matching, other in ((first, second), (second, first))
            if matching.type == "matching"
            for warning in _restating_pairs(file, matching, other, common)
        ]
        warnings.extend(restating or _overlapping(file, first, second, common))
    warnings.extend(_thin_objectives(file, lesson))
    return warnings


def lint_course(course: Course) -> list[LintWarning]:
    """Return every item-writing warning for the course pack, lesson by lesson."""
    vocabulary = course_vocabulary(course)
    return [warning for lesson in course.lessons for warning in lint_lesson(lesson, vocabulary)]
