"""An instructor's round in a real browser: roster search, learner review, quiz analysis, CSV export."""

from __future__ import annotations

import csv
import re

from playwright.sync_api import Page, expect

from .conftest import ATTEMPT_URL, Site


def test_find_a_learner_review_attempts_analyse_the_quiz_and_export_the_roster(page: Page, new_context, site: Site):
    course = site.course
    lesson = course.lessons[0]
    learner = site.add_learner("Noor Haddad")
    instructor = site.add_instructor("Ines Instructor")

    # The learner fails the first quiz, then passes it, in a browser of their own.
    learner_page = new_context().new_page()
    site.sign_in(learner_page, learner)
    failed_questions = site.start_quiz(learner_page, lesson.id)
    site.answer(learner_page, correct=2)
    learner_page.get_by_role("button", name="Submit answers").click()
    expect(learner_page.get_by_text("Not passed", exact=True)).to_be_visible()
    learner_page.get_by_role("button", name="Try again").click()
    learner_page.wait_for_url(ATTEMPT_URL)
    site.answer(learner_page)
    learner_page.get_by_role("button", name="Submit answers").click()
    expect(learner_page.get_by_text("Passed", exact=True)).to_be_visible()
    learner_page.context.close()

    # The instructor finds them on the roster.
    site.sign_in(page, instructor)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Instructor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Roster")
    page.get_by_label("Search name or email").fill(learner.email)
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("1 learner matches.")).to_be_visible()
    table = page.locator("table.roster-table")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody tr")).to_contain_text(learner.email)

    # The roster CSV carries the search: one row, this learner.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download these as CSV").click()
    download = download_info.value
    assert re.fullmatch(rf"{course.id}-roster-\d{{4}}-\d{{2}}-\d{{2}}\.csv", download.suggested_filename)
    with open(download.path(), newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["name"], row["email"]) for row in rows] == [(learner.name, learner.email)]
    assert float(rows[0][f"score_{lesson.id}"]) == 100
    assert int(rows[0]["attempts_used"]) == 2

    # The learner review: both attempts, each folded in a <details> that opens on click.
    table.get_by_role("link", name=learner.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(learner.name)
    attempts = page.locator("details.attempt")
    expect(attempts).to_have_count(2)
    first_attempt = attempts.first
    expect(first_attempt.locator("summary")).to_contain_text("Attempt 1")
    expect(first_attempt.locator("table")).to_be_hidden()
    first_attempt.locator("summary").click()
    expect(first_attempt).to_have_attribute("open", "")
    answers = first_attempt.locator("table tbody tr")
    expect(answers).to_have_count(course.quiz.questions_per_attempt)
    expect(answers.first).to_contain_text(failed_questions[0].prompt)
    expect(first_attempt.get_by_text("Correct", exact=True)).to_have_count(2)
    expect(first_attempt.get_by_role("columnheader", name="Key")).to_be_visible()

    # Quiz analysis: the list, the lesson's quiz on first attempts, then on all attempts.
    page.get_by_role("navigation", name="Instructor").get_by_role("link", name="Quiz analysis").click()
    page.get_by_role("link", name=lesson.title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Quiz analysis: {lesson.title}")
    bases = page.get_by_role("navigation", name="Attempts analysed")
    expect(bases.get_by_role("link", name="First attempts")).to_have_attribute("aria-current", "page")
    first_count = int(page.locator(".stat", has_text="Attempts").locator("dd").inner_text())
    bases.get_by_role("link", name="All attempts").click()
    expect(page).to_have_url(re.compile(r"basis=all"))
    expect(bases.get_by_role("link", name="All attempts")).to_have_attribute("aria-current", "page")
    all_count = int(page.locator(".stat", has_text="Attempts").locator("dd").inner_text())
    assert all_count >= first_count + 1, "the retake counts among all attempts only"
    expect(page.locator(f"#q-{failed_questions[0].id}")).to_be_visible()
