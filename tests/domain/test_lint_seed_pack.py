"""The linter finds the content review's cue findings in the banks as they stood on 2026-12-01.

tests/data/seed_pack is a copy of that pack; shared/reviews/content-review.md reviewed it item by
item. Its codes: L (key the longest, 30 % or more), T (guessable true/false), G (give-away).
"""

import pytest

from lms.domain.lint import lint_course
from lms.domain.loading import load_course_pack

from ..conftest import PROJECT_ROOT

SEED = load_course_pack(PROJECT_ROOT / "tests" / "data" / "seed_pack")
FOUND = {(warning.rule, warning.item) for warning in lint_course(SEED)}

REVIEW_L = [
    "duties-purpose", "duties-fit", "duties-staff", "duties-size-large", "hipaa-why-start", "hipaa-phi",
    "education-community-colleges", "education-ce-formats", "steps-degree", "steps-mentor", "steps-why-current",
    "networking-informational-interview", "networking-mentor-where", "networking-conferences",
    "networking-local-chapters",
]  # fmt: skip
REVIEW_T_TRUE = [
    "duties-accounting", "hipaa-ce-formats", "education-degree-head-start", "education-ce-skills",
    "steps-associate-success", "steps-volunteer", "networking-relationships", "networking-interview-willing",
]  # fmt: skip
REVIEW_T_FALSE = [
    "hipaa-ba-supplier", "hipaa-done-learning", "education-no-single-path", "education-experience-limit",
    "steps-initiative", "steps-cert-mandatory", "steps-computer", "networking-vendor-booths", "networking-engage",
]  # fmt: skip
REVIEW_G_MATCHING = [
    "networking-channels-match / networking-conferences",
    "networking-channels-match / networking-local-chapters",
    "networking-channels-match / networking-linkedin",
    "networking-channels-match / networking-informational-interview",
    "networking-channels-match / networking-aapc",
    "hipaa-rules-match / hipaa-security-scope",
    "hipaa-rules-match / hipaa-safeguards",
    "education-routes-match / education-cert-demonstrates",
    "education-routes-match / education-ce-why",
    "duties-areas / duties-staff",
    "duties-areas / duties-finance",
]


@pytest.mark.parametrize("item", REVIEW_L)
def test_long_keys_the_review_found(item):
    assert ("long-key", item) in FOUND


@pytest.mark.parametrize("item", REVIEW_T_TRUE)
def test_true_statements_copied_from_the_lesson(item):
    assert ("copied-statement", item) in FOUND


@pytest.mark.parametrize("item", REVIEW_T_FALSE)
def test_false_statements_with_absolutes(item):
    assert ("absolute-false", item) in FOUND


@pytest.mark.parametrize("pair", REVIEW_G_MATCHING)
def test_matching_items_that_give_keys_away(pair):
    assert ("matching-restates-key", pair) in FOUND


def test_items_the_review_found_clean_raise_no_cue_warning():
    # Items the review calls clean or models to aim for (untagged and bank-wide warnings aside).
    # Not hipaa-breach-delay: the review accepts its "any" as part of the misconception, but a
    # learner who marks absolutes false still gets it right, so the linter rightly warns.
    clean = ["duties-payable", "duties-compliance", "hipaa-baa", "hipaa-ocr", "steps-skills"]
    clean += ["steps-soft-skills", "steps-resources", "networking-profile", "education-work-route-order"]
    cue_rules = {"long-key", "copied-statement", "absolute-false", "absolute-distractor", "overlap"}
    flagged = sorted((rule, item) for rule, item in FOUND if rule in cue_rules and item.split(" / ")[0] in clean)
    assert flagged == []


def test_every_seed_bank_gets_the_bank_wide_longest_key_warning_but_hipaa():
    banks = {item for rule, item in FOUND if rule == "longest-key-pattern"}
    assert banks == {"bank"}
    files = {w.file for w in lint_course(SEED) if w.rule == "longest-key-pattern"}
    assert files == {f"quizzes/{lesson}.yaml" for lesson in ("duties", "education", "steps", "networking")}
