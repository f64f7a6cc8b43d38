"""Help when stuck, in a real browser: use up the attempts, get one more from the instructor, pass; the
roster row at 1280 px; axe, 375 px and the keyboard on the new page states."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from .conftest import ATTEMPT_URL, Site
from .test_accessibility import AXE_OPTIONS, PHONE_WIDTH, describe_violations

COURSE = "/courses/medical-office-manager"


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def fail_every_attempt(page: Page, site: Site, lesson_id: str) -> None:
    for _ in range(site.course.quiz.max_attempts):
        site.start_quiz(page, lesson_id)
        site.answer(page, correct=0)
        page.get_by_role("button", name="Submit answers").click()
        expect(page.get_by_text("Not passed", exact=True)).to_be_visible()


def assert_accessible(page: Page, axe: Axe, what: str) -> None:
    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, f"{what}: " + describe_violations(violations)


def assert_no_sideways_scroll(page: Page, width: int, what: str) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """limit => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > limit + 0.5)
            .filter(el => !el.parentElement || el.parentElement.getBoundingClientRect().right <= limit + 0.5)
            .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))""",
        width,
    )
    assert scroll <= width, f"{what} is {scroll} px wide at {width} px; widest elements: {wide}"


def test_use_up_the_attempts_get_an_extra_one_from_the_instructor_and_pass(
    page: Page, new_context, site: Site, axe: Axe
):
    lesson = site.course.lessons[0]
    learner = site.add_learner("Dana Whitfield")
    instructor = site.add_instructor("Olga Override")
    learner_page = new_context().new_page()
    site.sign_in(learner_page, learner)
    fail_every_attempt(learner_page, site, lesson.id)

    # The quiz page and the dashboard say plainly that the attempts are used and how to get help.
    learner_page.goto(f"{COURSE}/quizzes/{lesson.id}")
    expect(learner_page.get_by_text(f"You have used all {site.course.quiz.max_attempts} attempts")).to_be_visible()
    expect(learner_page.get_by_text("ask your instructor").first).to_be_visible()
    expect(learner_page.get_by_role("button", name=re.compile("the quiz$"))).to_have_count(0)
    assert_accessible(learner_page, axe, "quiz page, out of attempts")
    learner_page.goto(f"{COURSE}/dashboard")
    expect(learner_page.get_by_text("ask your instructor").first).to_be_visible()
    assert_accessible(learner_page, axe, "dashboard, out of attempts")

    # The instructor finds them with the out-of-attempts tile, by name in either order.
    site.sign_in(page, instructor)
    page.goto(f"{COURSE}/instructor/")
    page.get_by_role("link", name=re.compile("^Out of attempts")).click()
    expect(page.get_by_label("Status")).to_have_value("out-of-attempts")
    page.get_by_label("Search name or email").fill("whitfield dana")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("1 learner matches.")).to_be_visible()
    assert_accessible(page, axe, "roster filtered to out of attempts")
    page.locator("table.roster-table").get_by_role("link", name="Dana Whitfield").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dana Whitfield")
    expect(page.get_by_text("Out of attempts", exact=True).first).to_be_visible()

    # Grant by keyboard; a missing reason is refused first, with the form open and the error said.
    help_for = page.locator("details.override-card").filter(has_text=f"Help with the {lesson.title} quiz")
    help_for.locator("summary").focus()
    page.keyboard.press("Enter")
    grant_form = help_for.locator("form").first
    grant_form.get_by_role("button", name="Grant attempts").click()
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    help_for = page.locator("details.override-card[open]")
    assert_accessible(page, axe, "learner page, grant refused")
    help_for.locator("form").first.get_by_label("Reason (kept in the record)").fill("Was ill during the first try")
    help_for.locator("form").first.get_by_role("button", name="Grant attempts").click()
    expect(page.get_by_text(f"1 extra attempt at the {lesson.title} quiz granted.")).to_be_visible()
    expect(page.get_by_role("cell", name="Was ill during the first try")).to_be_visible()
    assert_accessible(page, axe, "learner page with the override history")
    # The breadcrumb leads back to the same filtered roster.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Roster").click()
    expect(page.get_by_label("Search name or email")).to_have_value("whitfield dana")

    # The learner takes the extra attempt and passes.
    learner_page.goto(f"{COURSE}/quizzes/{lesson.id}")
    expect(learner_page.get_by_text("1 attempt left.")).to_be_visible()
    learner_page.get_by_role("button", name="Retake the quiz").click()
    learner_page.wait_for_url(ATTEMPT_URL)
    site.answer(learner_page)
    learner_page.get_by_role("button", name="Submit answers").click()
    expect(learner_page.get_by_text("Passed", exact=True)).to_be_visible()
    learner_page.context.close()


def test_the_full_roster_row_at_1280_px_and_the_new_pages_at_375_px(new_context, site: Site, axe: Axe):
    site.add_learner("Rowan Wide-Name Example")
    instructor = site.add_instructor("Wren Width")
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    site.sign_in(page, instructor)
    page.goto(f"{COURSE}/instructor/")
    assert_no_sideways_scroll(page, 1280, "the roster")
    wrap = page.locator(".table-wrap").filter(has=page.locator("table.roster-table"))
    sizes = wrap.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert sizes[0] <= sizes[1], f"the roster row needs sideways scrolling at 1280 px: {sizes}"
    last_header = page.locator("table.roster-table thead th").last
    box = last_header.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 1280
    expect(last_header).to_contain_text("Last activity")
    for path in ("/instructor/limits", "/instructor/quizzes", "/instructor/?status=out-of-attempts"):
        page.goto(COURSE + path)
        assert_accessible(page, axe, path)
    phone = new_context(viewport={"width": PHONE_WIDTH, "height": 800}).new_page()
    site.sign_in(phone, instructor)
    for path in ("/instructor/", "/instructor/limits", "/instructor/quizzes"):
        phone.goto(COURSE + path)
        assert_no_sideways_scroll(phone, PHONE_WIDTH, path)
    # At 375 px the roster scrolls inside its box and the name column stays in view.
    phone.goto(COURSE + "/instructor/")
    phone.locator(".table-wrap").filter(has=phone.locator("table.roster-table")).evaluate("el => el.scrollLeft = 400")
    name = phone.locator("table.roster-table tbody th").first.bounding_box()
    assert name is not None and name["x"] >= 0 and name["x"] < 40
