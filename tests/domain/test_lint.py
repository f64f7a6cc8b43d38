"""The item-writing linter: each rule fires on a small bad item and stays quiet on a good one."""

from dataclasses import replace

import pytest

from lms.domain.course import Block, Lesson, Objective, Question
from lms.domain.lint import LintWarning, lint_course, lint_lesson
from lms.domain.loading import load_course_pack
from lms.domain.wording import absolutes_in, content_stems, hedges_in, stem

from ..conftest import MINI_PACK, PROJECT_ROOT
from ..items import matching, multiple, single, true_false

LESSON_TEXT = (
    "The office manager runs the business side of the practice.",
    "A manager hires, trains and supervises medical assistants, receptionists and other support staff.",
    "Budgets, accounts payable and accounts receivable are part of financial management.",
    "In a larger practice the work is divided into more specialized roles.",
    "The manager orders supplies, from bandages to computers, and negotiates vendor contracts.",
    "Scheduling appointments and handling insurance claims keep patients and payments moving.",
)
OBJECTIVES = ("staff", "money")


def lesson_with(*questions: Question, pad: bool = True) -> Lesson:
    """A lesson whose bank holds these questions (plus neutral filler so that no objective is thin)."""
    filler = [
        single(f"fill-{objective}-{n}", "Budgets", ["Contracts", "Payables"], f"Filler {n}?", (objective,))
        for objective in OBJECTIVES
        for n in range(3)
    ]
    return Lesson(
        id="duties",
        title="Duties",
        summary="",
        minutes=5,
        objectives=tuple(Objective(objective, objective) for objective in OBJECTIVES),
        html="",
        blocks=tuple(Block(f"p{n}", text) for n, text in enumerate(LESSON_TEXT)),
        questions=(*questions, *(filler if pad else ())),
    )


def rules_for(question: Question, *others: Question) -> set[str]:
    """Return the rules that fire on question (alone, or beside others) in the test lesson."""
    warnings = lint_lesson(lesson_with(question, *others))
    return {warning.rule for warning in warnings if question.id in warning.item}


# --- the text helpers ---------------------------------------------------------------------------


def test_stems_make_word_forms_compare_equal():
    assert stem("receptionists") == stem("receptionist")
    assert stem("trains") == stem("training") == "train"
    assert content_stems("The manager and the staff") == {"manag", "staff"}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("You must always skip it", ["always", "must", "skip"]),
        ("Wait for others to call", ["wait for"]),
        ("Managers usually help", []),
    ],
)
def test_absolutes_are_found_as_words_and_phrases(text, found):
    assert absolutes_in(text) == found


def test_hedges_are_found():
    assert hedges_in("It can often help") == ["often", "can", "help"]


# --- one rule at a time: bad item fires, good item does not --------------------------------------

LONG = "So that doctors and nurses can give their time to patients while the business is run for them"


@pytest.mark.parametrize(
    ("bad", "good", "rule"),
    [
        (
            single("q1", LONG, ["To treat patients", "To write rules"]),
            single("q1", "To run the business side", ["To treat the patients", "To write the rules"]),
            "long-key",
        ),
        (
            single("q1", "Medical assistants, receptionists and other support staff", ["Vendors", "Clinicians"]),
            single("q1", "The practice's support team", ["Outside vendors", "Insurance reviewers"]),
            "copied-key",
        ),
        (
            true_false("q1", "In a larger practice the work is divided into more specialized roles.", True),
            true_false("q1", "A manager at a big clinic hands some tasks to specialists.", True),
            "copied-statement",
        ),
        (
            true_false("q1", "The manager must handle every task personally.", False),
            true_false("q1", "The manager of a larger practice does more hands-on work.", False),
            "absolute-false",
        ),
        (
            single("q1", "Budgets", ["Only vendor contracts", "Every patient chart"]),
            single("q1", "Budgets", ["Vendor contracts", "Patient charts"]),
            "absolute-distractor",
        ),
        (
            single("q1", "Handling insurance claims", ["Performing surgery", "Prescribing medication"]),
            single("q1", "Handling insurance claims", ["Ordering bandages", "Negotiating vendor contracts"]),
            "off-vocabulary",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_each_rule_fires_on_a_bad_item_only(bad, good, rule):
    assert rule in rules_for(bad)
    assert rule not in rules_for(good)


def test_multiple_response_long_key_needs_every_key_longer():
    bad = multiple("q1", ["Developing and managing budgets", "Tracking accounts payable"], ["Surgery"])
    good = multiple("q1", ["Developing budgets", "Tracking accounts"], ["Ordering supplies for surgery"])
    assert "long-key" in rules_for(bad)
    assert "long-key" not in rules_for(good)


def test_a_short_copied_key_counts_only_when_no_distractor_is_copied_too():
    alone = single("q1", "Handling insurance claims keep patients", ["Taking over diagnoses", "Writing the rules"])
    both = single("q1", "Handling insurance claims keep patients", ["Scheduling appointments and handling insurance"])
    assert "copied-key" in rules_for(alone)
    assert "copied-key" not in rules_for(both)


def test_a_name_may_be_copied():
    named = single("q1", "The Office For Civil Rights Of The Practice", ["The Vendor Office", "The Insurer"])
    lesson = replace(lesson_with(named), blocks=(Block("p1", "The Office for Civil Rights of the practice."),))
    assert "copied-key" not in {warning.rule for warning in lint_lesson(lesson)}


def test_a_matching_pair_that_restates_another_key_is_flagged():
    staff = single("q1", "Receptionists and support staff", ["Vendors", "Insurers"], "Whom does the manager train?")
    giveaway = matching("m1", [("Training a new receptionist", "Support staff"), ("Budgets", "Money")])
    neutral = matching("m1", [("A new hire's first week", "Leading the team"), ("Budgets", "Money")])
    assert "matching-restates-key" in rules_for(giveaway, staff)
    assert "matching-restates-key" not in rules_for(neutral, staff)


def test_two_items_saying_the_same_thing_overlap():
    first = true_false("q1", "Supplies from bandages to computers are ordered by the office manager.", True)
    prompt = "What supplies does the office manager order?"
    second = single("q2", "From bandages to computers", ["Clinical supplies"], prompt)
    other = single("q2", "Payroll", ["Rosters"], "Which part of money work pays the staff?")
    assert "overlap" in rules_for(first, second)
    assert "overlap" not in rules_for(first, other)


def test_an_objective_with_fewer_than_three_items_is_thin():
    lesson = lesson_with(single("q1", "Budgets", ["Rosters"], objectives=("money",)), pad=False)
    thin = {warning.item for warning in lint_lesson(lesson) if warning.rule == "thin-objective"}
    assert thin == {"objective staff", "objective money"}


def test_a_bank_whose_keys_are_usually_longest_is_flagged():
    items = [single(f"q{n}", "The longest option here", ["Short one", "Short two"]) for n in range(4)]
    fair = [single(f"q{n}", "Short one", ["The longest option here", "Short two"]) for n in range(4)]
    assert "longest-key-pattern" in {warning.rule for warning in lint_lesson(lesson_with(*items, pad=False))}
    assert "longest-key-pattern" not in {warning.rule for warning in lint_lesson(lesson_with(*fair, pad=False))}


def test_a_bank_of_mostly_true_statements_is_flagged():
    lean = [true_false(f"t{n}", f"Statement number {n} holds.", n != 0) for n in range(4)]
    even = [true_false(f"t{n}", f"Statement number {n} holds.", n % 2 == 0) for n in range(4)]
    assert "true-false-balance" in {warning.rule for warning in lint_lesson(lesson_with(*lean))}
    assert "true-false-balance" not in {warning.rule for warning in lint_lesson(lesson_with(*even))}


def test_a_warning_names_file_item_reason_and_hint():
    warning = lint_lesson(lesson_with(true_false("q1", "You must always wait.", False)))[0]
    assert isinstance(warning, LintWarning)
    text = str(warning)
    assert text.startswith("quizzes/duties.yaml: q1: the false statement carries the absolute")
    assert "[absolute-false]" in text and "\n    hint: " in text


def test_the_neutral_filler_lints_clean():
    assert lint_lesson(lesson_with()) == []


def test_the_mini_pack_gets_its_expected_warnings():
    rules = sorted((warning.item, warning.rule) for warning in lint_course(load_course_pack(MINI_PACK)))
    assert ("alpha-red / alpha-green-false", "overlap") in rules
    assert ("objective days", "thin-objective") in rules


def test_the_real_pack_lints_clean():
    warnings = lint_course(load_course_pack(PROJECT_ROOT))
    assert not warnings, (
        f"{len(warnings)} item-writing warnings (run `flask --app app lms check --lint`):\n"
        + "\n".join(map(str, warnings[:40]))
    )
