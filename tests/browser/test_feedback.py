"""Feedback that teaches, in a real browser: from a failed result to the passage to re-read and
back, by keyboard; the key once the attempts are used; times in the reader's zone; Continue."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .conftest import Site


def submit(page: Page) -> None:
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_url(re.compile(r"/attempts/\d+/result$"))


def tab_to(page: Page, name: str, limit: int = 80) -> None:
    """Press Tab until the link or button with this accessible name has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.innerText || document.activeElement.value || ''")
        if focused.strip().startswith(name):
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_from_a_failed_result_to_the_passage_and_back_by_keyboard(new_context, site: Site):
    learner = site.add_learner("Ravi Reader")
    page = new_context(timezone_id="America/New_York").new_page()
    site.sign_in(page, learner)
    lesson = site.course.lessons[0]
    questions = site.start_quiz(page, lesson.id)
    site.answer(page, correct=0)
    submit(page)
    result_url = page.url

    objectives = page.get_by_role("region", name="By objective")
    expect(objectives.get_by_text("To review")).to_have_count(
        len({objective for question in questions for objective in question.objectives})
    )
    review = page.get_by_role("region", name="Question by question")
    expect(review.locator(".mark-wrong")).not_to_have_count(0)
    expect(review.get_by_text("Wrong:")).not_to_have_count(0)
    expect(review.locator(".mark-missed")).to_have_count(0)
    expect(review.get_by_text("The right answers are shown once you have used your last attempt.")).to_be_visible()

    # Times: the UTC text is the fallback, the script shows New York time and keeps UTC as the tooltip.
    stamp = page.locator("time[data-local-time]").first
    expect(stamp).to_have_attribute("title", re.compile(r"UTC$"))
    expect(stamp).not_to_contain_text("UTC")
    expect(stamp).to_contain_text(re.compile(r"EST|EDT|GMT-[45]"))

    # The first "Re-read" link, reached and followed with the keyboard.
    tab_to(page, "Re-read")
    target = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/lessons/{lesson.id}\?result=\d+#"))
    anchor = target.split("#", 1)[1]
    passage = page.locator(f"#{anchor}")
    expect(passage).to_be_in_viewport()
    assert page.evaluate("document.querySelector(':target').id") == anchor
    back = page.get_by_role("link", name="Back to your result")
    expect(back).to_be_in_viewport()  # sticky: in view at the passage, not above it
    box, bar = passage.bounding_box(), back.bounding_box()
    assert box["y"] >= bar["y"] + bar["height"] - 1, "the passage is not hidden under the way back"
    back.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(result_url)

    # A failed result with attempts left: Try again, by keyboard.
    tab_to(page, "Try again")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/attempts/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Quiz: {lesson.title}")


def test_the_continue_card_resumes_an_open_attempt(page: Page, site: Site):
    learner = site.add_learner("Cleo Continue")
    site.sign_in(page, learner)
    page.goto("/courses/medical-office-manager/")
    card = page.get_by_role("region", name=re.compile(r"^Start: "))
    expect(card.get_by_role("link", name="Read the lesson")).to_have_attribute(
        "href", f"/courses/medical-office-manager/lessons/{site.course.lessons[0].id}"
    )
    lesson = site.course.lessons[1]
    site.start_quiz(page, lesson.id)
    attempt_url = page.url
    page.goto("/courses/medical-office-manager/dashboard")
    card = page.get_by_role("region", name=f"Continue: the {lesson.title} quiz")
    card.get_by_role("link", name="Resume the quiz").click()
    page.wait_for_url(attempt_url)
    page.goto("/courses/medical-office-manager/dashboard")
    expect(page.get_by_role("columnheader", name="Weight")).to_have_count(0)
    expect(page.locator(".next-band")).to_contain_text(re.compile(r"^Next step: .+ to reach "))
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My progress")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Course")).not_to_have_attribute("aria-current", "page")


def test_a_long_lesson_has_a_table_of_contents_that_works_by_keyboard(page: Page, site: Site):
    site.sign_in(page, site.add_learner("Tomas Toc"))
    lesson = site.course.lessons[0]
    page.goto(f"/courses/medical-office-manager/lessons/{lesson.id}")
    toc = page.get_by_role("navigation", name="In this lesson")
    expect(toc.get_by_role("link")).to_have_count(len(lesson.sections))
    last = lesson.sections[-1]
    tab_to(page, last.text)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"#{last.anchor}$"))
    expect(page.locator(f"#{last.anchor}")).to_be_in_viewport()
