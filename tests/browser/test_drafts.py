"""Answers that are saved, and View as learner, in a real browser: leave a quiz half-done and find the
answers on return (with the script, and by "Save and leave" with JavaScript off); preview a quiz as an
instructor and find the roster unchanged. axe and 375 px on every new page state; keyboard throughout."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from itsdangerous import URLSafeTimedSerializer
from playwright.sync_api import Page, expect

from lms.domain.questions import Question

from .conftest import Site, form_actions
from .test_accessibility import AXE_OPTIONS, PHONE_WIDTH, describe_violations

COURSE = "/courses/medical-office-manager"


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def check_page(page: Page, axe: Axe, where: str) -> None:
    """No WCAG 2.1 A/AA violation, and nothing wider than a 375 px phone."""
    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, f"{where}: {describe_violations(violations)}"
    size = page.viewport_size
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{where} is {width} px wide at {PHONE_WIDTH} px"
    page.set_viewport_size(size)


def answer(page: Page, questions: list[Question], numbers: range, right: bool = True) -> None:
    """Answer these questions (numbered from 1) with the mouse."""
    for number in numbers:
        fieldset = page.locator(f"#question-{number}")
        for kind, label, choice in form_actions(number, questions[number - 1], right):
            control = fieldset.get_by_label(label, exact=True)
            if kind == "check":
                control.check()
            else:
                control.select_option(label=choice)


def expect_answered(page: Page, questions: list[Question], numbers: range) -> None:
    """The form shows these questions answered right, as they were left."""
    for number in numbers:
        fieldset = page.locator(f"#question-{number}")
        for kind, label, choice in form_actions(number, questions[number - 1], right=True):
            control = fieldset.get_by_label(label, exact=True)
            if kind == "check":
                expect(control).to_be_checked()
            else:
                expect(control.locator("option:checked")).to_have_text(choice)


def submit(page: Page) -> None:
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_url(re.compile(r"/attempts/\d+/result$"))


def test_a_half_done_quiz_is_saved_as_you_go_and_restored(page: Page, site: Site, axe: Axe):
    learner = site.add_learner("Hana Halfway")
    site.sign_in(page, learner)
    lesson = site.course.lessons[0]
    questions = site.start_quiz(page, lesson.id)
    total = len(questions)
    attempt_url = page.url
    expect(page.get_by_text(f"0 of {total} answered")).to_be_visible()
    half = range(1, total // 2 + 1)
    answer(page, questions, half)
    expect(page.get_by_text(f"{len(half)} of {total} answered")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="All answers saved.")).to_be_visible()
    check_page(page, axe, "the take page, answers saved")

    page.goto(f"{COURSE}/")
    page.goto(f"{COURSE}/quizzes/{lesson.id}")
    page.get_by_role("link", name="Resume attempt 1").click()
    expect(page).to_have_url(attempt_url)
    expect_answered(page, questions, half)
    check_page(page, axe, "the take page with answers restored")
    page.get_by_role("button", name="Save and leave").click()
    expect(page.get_by_text("Your answers are saved.")).to_be_visible()
    check_page(page, axe, "the quiz overview after Save and leave")
    page.get_by_role("link", name="Resume attempt 1").click()
    expect(page.get_by_text(f"{len(half)} of {total} answered")).to_be_visible()
    nav = page.get_by_role("navigation", name="Questions")
    expect(nav.get_by_role("link", name=f"Question {len(half) + 1}, not answered")).to_be_visible()
    expect(nav.get_by_role("link", name="Question 1, answered")).to_be_visible()

    # The navigator jumps to the first unanswered question, by keyboard.
    jump = page.get_by_role("link", name="Go to the first unanswered question")
    jump.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"#question-{len(half) + 1}$"))

    answer(page, questions, range(len(half) + 1, total + 1))
    expect(page.get_by_text(f"{total} of {total} answered")).to_be_visible()
    expect(page.get_by_role("link", name="Go to the first unanswered question")).to_be_hidden()
    submit(page)
    expect(page.get_by_text("Passed", exact=True)).to_be_visible()
    expect(page.locator(".big-number")).to_have_text("100%")


def test_save_and_leave_works_without_javascript(new_context, site: Site):
    learner = site.add_learner("Noor Noscript")
    page = new_context(java_script_enabled=False).new_page()
    site.sign_in(page, learner)
    lesson = site.course.lessons[1]
    questions = site.start_quiz(page, lesson.id)
    total = len(questions)
    answer(page, questions, range(1, 4))
    leave = page.get_by_role("button", name="Save and leave")
    leave.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"{COURSE}/quizzes/{lesson.id}$"))
    expect(page.get_by_text("Your answers are saved.")).to_be_visible()

    # (axe needs JavaScript: the same states are scanned with it on in the test above.)
    page.get_by_role("link", name="Resume attempt 1").click()
    expect_answered(page, questions, range(1, 4))
    expect(page.get_by_text(f"3 of {total} answered")).to_be_visible()
    page.get_by_role("link", name="Go to the first unanswered question").click()
    expect(page).to_have_url(re.compile(r"#question-4$"))


def preview_questions(site: Site, page: Page) -> list[Question]:
    """The questions a preview page drew, from its signed layout (the test knows the secret)."""
    token = page.locator('input[name="preview_token"]').get_attribute("value")
    payload = URLSafeTimedSerializer(site.app.secret_key, salt="lms.quiz-preview").loads(token)
    return [site.course.question(item["q"]) for item in payload["q"]]


def test_an_instructor_previews_a_lesson_and_a_quiz_and_the_roster_is_unchanged(page: Page, site: Site, axe: Axe):
    site.add_learner("Rosa Rostered")
    instructor = site.add_instructor("Pia Previewer")
    site.sign_in(page, instructor)
    page.goto(f"{COURSE}/instructor/")
    roster = page.get_by_role("main").inner_text()
    assert "Pia Previewer" not in roster

    page.get_by_role("link", name="View as learner").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("View as learner")
    check_page(page, axe, "the preview index")
    lesson = site.course.lessons[0]
    page.get_by_role("link", name=f"Lesson: {lesson.title}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(lesson.title)
    expect(page.get_by_text("Nothing you do here is recorded")).to_be_visible()
    check_page(page, axe, "a lesson preview")

    page.get_by_role("link", name="Preview the quiz").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Quiz: {lesson.title}")
    check_page(page, axe, "a quiz preview")
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("Some questions still need an answer")).to_be_visible()
    check_page(page, axe, "a quiz preview with errors")
    questions = preview_questions(site, page)
    answer(page, questions, range(1, len(questions) + 1))
    submit_button = page.get_by_role("button", name="Submit answers")
    submit_button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Preview result: {lesson.title}")
    expect(page.locator(".big-number")).to_have_text("100%")
    check_page(page, axe, "a preview result")

    page.goto(f"{COURSE}/instructor/")
    assert page.get_by_role("main").inner_text() == roster
