"""Accessibility: axe-core finds no WCAG 2.1 A/AA violation on any page type, a quiz with every
question type can be done with the keyboard alone, and no page scrolls sideways at 375 px."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, expect

from lms.domain.course import Lesson
from lms.domain.questions import QUESTION_TYPES, Question
from lms.domain.questions.matching import MatchingQuestion
from lms.domain.questions.ordering import OrderingQuestion
from lms.extensions import db
from lms.models import Enrollment
from lms.services.attempts import start_attempt, submit_attempt

from .conftest import ACTION_TIMEOUT_MS, Account, Site, form_actions

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
PHONE_WIDTH = 375


@dataclass
class World:
    """Accounts and records the page scans share. Scans only read, so one world serves them all."""

    site: Site
    accounts: dict[str, Account] = field(default_factory=dict)
    states: dict[str, dict] = field(default_factory=dict)  # signed-in cookies per role
    ids: dict[str, int] = field(default_factory=dict)
    first_question: str = ""  # the graded attempt's first question
    graded: Lesson = field(init=False)  # the lesson of the learner's graded attempt
    open: Lesson = field(init=False)  # the lesson of the open attempt, which shows every question type
    used_up: Lesson = field(init=False)  # every attempt used, the last one passed: the review shows the key

    def __post_init__(self) -> None:
        self.graded = self.site.course.lessons[0]
        self.open = self.site.lesson_with_every_type()
        self.used_up = next(lesson for lesson in self.site.course.lessons if lesson not in (self.graded, self.open))

    def use_every_attempt(self, email: str) -> int:
        """Submit every attempt the course allows at used_up (all wrong, the last all right); return the last id."""
        site, lesson = self.site, self.used_up
        rng = random.Random(7)
        with site.app.app_context():
            enrollment = db.session.get(Enrollment, site.enrollment_id(email))
            for number in range(1, site.course.quiz.max_attempts + 1):
                attempt = start_attempt(enrollment, site.course, lesson, rng)
                last = number == site.course.quiz.max_attempts
                questions = [site.course.question(item["q"]) for item in attempt.layout]
                responses = {q.id: q.key_response() if last else q.wrong_response() for q in questions}
                submit_attempt(attempt, enrollment, site.course, lesson, responses)
                db.session.commit()
            return attempt.id

    def names(self) -> dict[str, str | int]:
        """What page paths and headings are filled with: record ids, and titles from the course pack."""
        course = self.site.course
        return {
            **self.ids,
            "course": course.title,
            "learner": self.accounts["learner"].name,
            "graded_lesson": self.graded.id,
            "graded_anchor": self.site.course.question(self.first_question).source_anchor,
            "graded_title": self.graded.title,
            "open_title": self.open.title,
        }


def _signed_in_state(browser: Browser, base_url: str, site: Site, account: Account, prepare=None) -> dict:
    context = browser.new_context(base_url=base_url)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    try:
        page = context.new_page()
        site.sign_in(page, account)
        if prepare:
            prepare(page)
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture(scope="module")
def world(browser: Browser, base_url: str, live_server) -> World:
    """A learner with a graded attempt and an open one holding every question type, a newcomer, an instructor."""
    site = Site(live_server)
    world = World(site)
    learner = world.accounts["learner"] = site.add_learner("Lena Okafor")
    world.accounts["newcomer"] = site.add_learner("Nico Newcomer", enrolled=False)
    world.accounts["instructor"] = site.add_instructor("Ida Instructor")

    def take_quizzes(page: Page) -> None:
        site.start_quiz(page, world.graded.id)
        site.answer(page, correct=4)
        page.get_by_role("button", name="Submit answers").click()
        page.wait_for_url(re.compile(r"/result$"))
        world.ids["graded"] = int(page.url.split("/")[-2])
        world.first_question = site.questions(world.ids["graded"])[0].id
        site.start_quiz(page, world.open.id, needs=QUESTION_TYPES)
        world.ids["open"] = site.attempt_id(page)

    world.states["learner"] = _signed_in_state(browser, base_url, site, learner, take_quizzes)
    for role in ("newcomer", "instructor"):
        world.states[role] = _signed_in_state(browser, base_url, site, world.accounts[role])
    world.ids["enrollment"] = site.enrollment_id(learner.email)
    world.ids["used_up"] = world.use_every_attempt(learner.email)
    world.ids["cohort"] = site.cohort_id(learner.email)
    return world


# -- the page types -------------------------------------------------------------------------------


def _login_wrong_password(page: Page, world: World) -> None:
    page.get_by_label("Email").fill(world.accounts["learner"].email)
    page.get_by_label("Password", exact=True).fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match")


def _login_missing_fields(page: Page, world: World) -> None:
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Enter your email.")).to_be_visible()


def _register_with_errors(page: Page, world: World) -> None:
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat password").fill("different")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Enter your name.")).to_be_visible()


def _submit_unanswered(page: Page, world: World) -> None:
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("Some questions still need an answer")).to_be_visible()
    expect(page.locator(".question.has-error")).not_to_have_count(0)


def _open_every_attempt(page: Page, world: World) -> None:
    for summary in page.locator("details.attempt > summary").all():
        summary.click()
    expect(page.locator("details.attempt:not([open])")).to_have_count(0)


@dataclass(frozen=True)
class View:
    """A page type: who opens it, where, the state to bring it to, and the heading that proves it is the one."""

    name: str
    role: str | None  # None: signed out
    path: str  # both formatted with World.names()
    heading: str
    status: int = 200
    then: Callable[[Page, World], None] | None = None


VIEWS = [
    View("outline-signed-out", None, "/", "{course}"),
    View("outline-not-enrolled", "newcomer", "/", "{course}"),
    View("outline-enrolled", "learner", "/", "{course}"),
    View("register", None, "/account/register", "Create an account"),
    View("register-with-errors", None, "/account/register", "Create an account", then=_register_with_errors),
    View("login", None, "/account/login", "Sign in"),
    View("login-wrong-password", None, "/account/login", "Sign in", then=_login_wrong_password),
    View("login-missing-fields", None, "/account/login", "Sign in", then=_login_missing_fields),
    View("forgot-password", None, "/account/password/forgot", "Forgot your password?"),
    View("reset-link-expired", None, "/account/password/reset/expired", "This link no longer works", status=400),
    View("lesson", "learner", "/courses/medical-office-manager/lessons/{graded_lesson}", "{graded_title}"),
    View("quiz-overview", "learner", "/courses/medical-office-manager/quizzes/{graded_lesson}", "Quiz: {graded_title}"),
    View("quiz-take", "learner", "/courses/medical-office-manager/attempts/{open}", "Quiz: {open_title}"),
    View(
        "quiz-take-with-errors",
        "learner",
        "/courses/medical-office-manager/attempts/{open}",
        "Quiz: {open_title}",
        then=_submit_unanswered,
    ),
    View("result", "learner", "/courses/medical-office-manager/attempts/{graded}/result", "Attempt 1 result"),
    View(
        "result-with-key-and-next-lesson",
        "learner",
        "/courses/medical-office-manager/attempts/{used_up}/result",
        "Attempt 3 result",
    ),
    View(
        "lesson-from-result",
        "learner",
        "/courses/medical-office-manager/lessons/{graded_lesson}?result={graded}#{graded_anchor}",
        "{graded_title}",
    ),
    View("dashboard", "learner", "/courses/medical-office-manager/dashboard", "My progress"),
    View("not-found", None, "/no-such-page", "Page not found", status=404),
    View(
        "not-found-signed-in",
        "learner",
        "/courses/medical-office-manager/lessons/no-such-lesson",
        "Page not found",
        status=404,
    ),
    View(
        "forbidden",
        "learner",
        "/courses/medical-office-manager/instructor/",
        "You do not have access to this page",
        status=403,
    ),
    View("account", "learner", "/account/", "My account"),
    View("change-password", "learner", "/account/password", "Change password"),
    View("roster", "instructor", "/courses/medical-office-manager/instructor/", "Roster"),
    View(
        "learner-review",
        "instructor",
        "/courses/medical-office-manager/instructor/learners/{enrollment}",
        "{learner}",
        then=_open_every_attempt,
    ),
    View("quiz-analysis-list", "instructor", "/courses/medical-office-manager/instructor/quizzes", "Quiz analysis"),
    View(
        "quiz-analysis",
        "instructor",
        "/courses/medical-office-manager/instructor/quizzes/{graded_lesson}",
        "Quiz analysis: {graded_title}",
    ),
    View(
        "quiz-analysis-all-attempts",
        "instructor",
        "/courses/medical-office-manager/instructor/quizzes/{graded_lesson}?basis=all",
        "Quiz analysis: {graded_title}",
    ),
    View("cohorts", "instructor", "/courses/medical-office-manager/instructor/cohorts", "Cohorts"),
    View(
        "cohort", "instructor", "/courses/medical-office-manager/instructor/cohorts/{cohort}", "Cohort: Default cohort"
    ),
]


@pytest.fixture(scope="module")
def role_pages(browser: Browser, base_url: str, world: World) -> Iterator[Callable[[str | None], Page]]:
    """One open page per role for the page scans, which load their page into it with the role's cookies alone."""
    # A new context and page per scan cost ~0.2 CPU-s more than a page load into an open one (60 scans).
    pages: dict[str | None, Page] = {}

    def page_for(role: str | None) -> Page:
        if role not in pages:
            context = browser.new_context(base_url=base_url)
            context.set_default_timeout(ACTION_TIMEOUT_MS)
            pages[role] = context.new_page()
        page = pages[role]
        # Exactly the cookies a new context with the role's storage state starts with (it holds no other storage).
        assert not world.states.get(role, {}).get("origins"), "a role's state holds more than cookies"
        page.context.clear_cookies()
        if role in world.states:
            page.context.add_cookies(world.states[role]["cookies"])
        page.goto("about:blank")  # a new document each time, also where the next path differs only in its #anchor
        return page

    yield page_for
    for page in pages.values():
        page.context.close()


def open_view(page_for: Callable[[str | None], Page], world: World, view: View, width: int = 1280) -> Page:
    """Open a page type as its role sees it, at a window `width` px wide, and bring it to the state the view names."""
    names = world.names()
    page = page_for(view.role)
    page.set_viewport_size({"width": width, "height": 720 if width == 1280 else 800})
    path = view.path.format(**names)
    response = page.goto(path)
    assert response is not None and response.status == view.status, f"{path}: HTTP {response and response.status}"
    if view.then:
        view.then(page, world)
    expect(page.get_by_role("heading", level=1)).to_have_text(view.heading.format(**names))
    return page


def describe_violations(violations: list[dict]) -> str:
    """Readable axe violations: rule, impact, help link, and each failing element with what to fix."""
    lines = [f"{len(violations)} WCAG 2.1 A/AA violation(s):"]
    for violation in violations:
        lines.append(f"\n[{violation['impact']}] {violation['id']}: {violation['help']}\n  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"  - {' '.join(map(str, node['target']))}\n    {node['html'][:300]}")
            lines.extend(f"    {line}" for line in node.get("failureSummary", "").splitlines())
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("view", VIEWS, ids=[view.name for view in VIEWS])
def test_no_wcag_a_or_aa_violations(view: View, world: World, role_pages, axe: Axe):
    page = open_view(role_pages, world, view)
    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, describe_violations(violations)


@pytest.mark.parametrize("view", VIEWS, ids=[view.name for view in VIEWS])
def test_nothing_scrolls_sideways_at_375_px(view: View, world: World, role_pages):
    page = open_view(role_pages, world, view, width=PHONE_WIDTH)
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE_WIDTH:
        wide = page.evaluate(
            """limit => [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > limit + 0.5)
                .filter(el => !el.parentElement || el.parentElement.getBoundingClientRect().right <= limit + 0.5)
                .slice(0, 10).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))""",
            PHONE_WIDTH,
        )
        pytest.fail(f"{view.path} is {width} px wide at {PHONE_WIDTH} px; widest elements: {wide}")


# -- the keyboard alone ---------------------------------------------------------------------------


def _is_focused(locator: Locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def _assert_focus(page: Page, locator: Locator, where: str) -> None:
    assert _is_focused(locator), f"{where}: focus is on {page.evaluate('document.activeElement.outerHTML')[:200]}"
    outline = locator.evaluate(
        "el => [getComputedStyle(el).outlineStyle, parseFloat(getComputedStyle(el).outlineWidth)]"
    )
    assert outline[0] != "none" and outline[1] > 0, f"{where}: no visible focus outline"


def _tab(page: Page, locator: Locator, where: str) -> None:
    page.keyboard.press("Tab")
    _assert_focus(page, locator, where)


def _answer_with_keys(page: Page, number: int, question: Question) -> None:
    """Answer one question right with the keyboard; focus is on the element before the question."""
    fieldset = page.locator(f"#question-{number}")
    steps = form_actions(number, question, right=True)
    where = f"question {number} ({question.type})"
    if question.type in ("single", "true_false"):
        radios = fieldset.get_by_role("radio")
        target = fieldset.get_by_label(steps[0][1], exact=True)
        index = [radio.evaluate("el => el.id") for radio in radios.all()].index(target.evaluate("el => el.id"))
        _tab(page, radios.first, where)  # a radio group is one tab stop, entered at its first button
        page.keyboard.press("Space")
        for _ in range(index):
            page.keyboard.press("ArrowDown")
        expect(target).to_be_checked()
        expect(fieldset.locator(":checked")).to_have_count(1)
    elif question.type == "multiple":
        wanted = {fieldset.get_by_label(label, exact=True).evaluate("el => el.id") for _, label, _ in steps}
        for box in fieldset.get_by_role("checkbox").all():
            _tab(page, box, where)
            if box.evaluate("el => el.id") in wanted:
                page.keyboard.press("Space")
        expect(fieldset.locator(":checked")).to_have_count(len(wanted))
    else:
        choices = {label: choice for _, label, choice in steps}
        for select in fieldset.locator("select").all():
            _tab(page, select, where)
            label = select.evaluate("el => el.labels[0].textContent.trim()")
            choice = choices[label]
            if isinstance(question, OrderingQuestion):
                page.keyboard.type(choice)  # type-ahead on the position's number
            else:
                assert isinstance(question, MatchingQuestion)
                options = select.evaluate("el => [...el.options].map(o => o.text)")
                page.keyboard.press("Home")
                for _ in range(options.index(choice)):
                    page.keyboard.press("ArrowDown")
            expect(select.locator("option:checked")).to_have_text(choice)


@pytest.fixture
def quiz_page(new_context, site: Site) -> tuple[Page, list[Question]]:
    """A signed-in learner on an open attempt that holds every question type."""
    learner = site.add_learner("Kai Keyboard")
    page = new_context().new_page()
    site.sign_in(page, learner)
    questions = site.start_quiz(page, site.lesson_with_every_type().id, needs=QUESTION_TYPES)
    return page, questions


def test_a_quiz_with_every_question_type_can_be_done_with_the_keyboard_alone(quiz_page):
    page, questions = quiz_page
    assert {question.type for question in questions} == set(QUESTION_TYPES)
    page.reload()  # the attempt was opened with the mouse: start from a fresh page

    # The skip link comes first and jumps to the content.
    skip = page.get_by_role("link", name="Skip to content")
    _tab(page, skip, "skip link")
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    first_control = page.locator("#question-1").locator("input, select").first
    for _ in range(20):  # past the breadcrumb links and the question navigator
        page.keyboard.press("Tab")
        if _is_focused(first_control):
            break
    _assert_focus(page, first_control, "question 1")
    page.keyboard.press("Shift+Tab")  # and back again: every question is entered with a forward Tab

    for number, question in enumerate(questions, start=1):
        _answer_with_keys(page, number, question)

    # Tab leads on to the submit button; Shift+Tab goes back to the last answer and Tab returns.
    last_answer = page.evaluate("document.activeElement.id")
    submit = page.get_by_role("button", name="Submit answers")
    _tab(page, submit, "submit button")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == last_answer
    _tab(page, submit, "submit button")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/courses/medical-office-manager/attempts/\d+/result$"))
    expect(page.get_by_text("Passed", exact=True)).to_be_visible()
    expect(page.locator(".big-number")).to_have_text("100%")
