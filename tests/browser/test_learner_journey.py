"""A learner's whole course in a real browser: register, enroll, read, fail, retake, pass, get ready."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from lms.domain.questions import QUESTION_TYPES
from lms.extensions import db
from lms.models import LessonProgress

from .conftest import Account, Site, unique_email


def register(page: Page, account: Account) -> None:
    page.goto("/")
    page.get_by_role("link", name="Create an account to enroll").click()
    page.get_by_label("Full name").fill(account.name)
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password", exact=True).fill(account.password)
    page.get_by_label("Repeat password").fill(account.password)
    page.get_by_role("button", name="Create account").click()
    # The same answer whether or not the email is taken: no sign-in yet, a mail, then the sign-in form.
    expect(page.get_by_text(f"We have mailed {account.email}")).to_be_visible()
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password", exact=True).fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {account.name}.")).to_be_visible()
    page.goto("/")


def submit(page: Page) -> None:
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_url(re.compile(r"/courses/medical-office-manager/attempts/\d+/result$"))


def test_register_enroll_read_fail_retake_pass_every_quiz_and_see_readiness(page: Page, site: Site):
    course = site.course
    account = Account("Maya Patel", unique_email("maya"))
    register(page, account)

    page.get_by_role("button", name="Enroll in this course").click()
    first = course.lessons[0]
    expect(page).to_have_url(re.compile(f"/courses/medical-office-manager/lessons/{first.id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(first.title)
    expect(page.get_by_text(first.objectives[0].text)).to_be_visible()

    page.get_by_role("button", name="Mark as read and go to the quiz").click()
    expect(page).to_have_url(re.compile(f"/courses/medical-office-manager/quizzes/{first.id}$"))
    expect(page.get_by_text("is marked as read")).to_be_visible()

    # Fail: every answer wrong.
    covered = {question.type for question in site.start_quiz(page, first.id)}
    site.answer(page, correct=0)
    submit(page)
    expect(page.get_by_text("Not passed", exact=True)).to_be_visible()
    expect(page.locator(".big-number")).to_have_text("0%")
    expect(page.get_by_text("Incorrect", exact=True)).to_have_count(course.quiz.questions_per_attempt)

    page.get_by_role("link", name="See my readiness score").click()
    expect(page.get_by_text("Provisional:")).to_be_visible()
    expect(page.locator(".readiness-card .band")).to_have_text("Not yet")

    # Retake from the quiz page and pass with every answer right.
    page.goto(f"/courses/medical-office-manager/quizzes/{first.id}")
    expect(page.get_by_text("2 attempts left.")).to_be_visible()
    covered |= {question.type for question in site.start_quiz(page, first.id)}
    assert "Attempt 2" in page.get_by_role("main").inner_text()
    site.answer(page)
    submit(page)
    expect(page.get_by_text("Passed", exact=True)).to_be_visible()
    expect(page.locator(".big-number")).to_have_text("100%")

    # The other lessons: read each and pass its quiz. Draws are random: the last bank that holds
    # every question type is redrawn until it brings every type not met so far.
    every_type = site.lesson_with_every_type()
    for lesson in course.lessons[1:]:
        page.goto(f"/courses/medical-office-manager/lessons/{lesson.id}")
        page.get_by_role("button", name="Mark as read and go to the quiz").click()
        expect(page).to_have_url(re.compile(f"/courses/medical-office-manager/quizzes/{lesson.id}$"))
        needs = tuple(set(QUESTION_TYPES) - covered) if lesson is every_type else ()
        covered |= {question.type for question in site.start_quiz(page, lesson.id, needs)}
        site.answer(page)
        submit(page)
        expect(page.get_by_text("Passed", exact=True)).to_be_visible()
    assert covered == set(QUESTION_TYPES)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My progress").click()
    card = page.locator(".readiness-card")
    expect(card.locator(".big-number")).to_have_text("100")
    expect(card.locator(".band")).to_have_text("Ready")
    expect(card.get_by_text("Provisional:")).to_have_count(0)
    expect(page.get_by_text(f"{len(course.lessons)} of {len(course.lessons)} lessons complete")).to_be_visible()
    expect(page.get_by_text("You have completed every lesson.")).to_be_visible()


def test_opening_a_lesson_records_the_first_view_through_its_script(page: Page, site: Site):
    """The lesson GET writes nothing; the page's own script (allowed by the CSP) posts the view once."""
    account = site.add_learner("Viv Viewer")
    site.sign_in(page, account)
    lesson = site.course.lessons[1]
    with page.expect_response(re.compile(f"/lessons/{lesson.id}/view$")) as sent:
        page.goto(f"/courses/medical-office-manager/lessons/{lesson.id}")
    assert sent.value.status == 204
    enrollment_id = site.enrollment_id(account.email)
    with site.app.app_context():
        row = db.session.execute(
            db.select(LessonProgress).where(
                LessonProgress.enrollment_id == enrollment_id, LessonProgress.lesson_id == lesson.id
            )
        ).scalar_one()
        assert row.first_viewed_at is not None
    page.reload()
    expect(page.locator("[data-record-view]")).to_have_count(0)
