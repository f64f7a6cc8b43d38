"""Browser fixtures: the real app served on a free local port, and Debian's Chromium driven by Playwright.

The app runs as in production (CSRF on, the real course pack, a SQLite file built by the real
migrations), in a thread of this process, so tests can read the database to learn an attempt's
answer key. Every test makes its own accounts. When a test fails, every open page is saved as a
full-page screenshot in test-artifacts/screenshots/.
"""

from __future__ import annotations

import gc
import os
import random
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask, got_request_exception
from flask_migrate import upgrade
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import WSGIRequestHandler, make_server

from lms import create_app
from lms.domain.course import Course, Lesson
from lms.domain.questions import QUESTION_TYPES, Question
from lms.domain.questions.matching import MatchingQuestion
from lms.domain.questions.ordering import OrderingQuestion
from lms.domain.questions.true_false import TrueFalseQuestion
from lms.extensions import db
from lms.models import Attempt, Enrollment, User
from lms.services.accounts import create_staff, register_user
from lms.services.attempts import discard_attempt, start_attempt
from lms.services.enrollments import enroll

from ..helpers import QuizAnswers, right_fields, wrong_fields
from ..mail_server import Inbox
from ..ports import free_port

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parent.parent
# Debian's chromium-headless-shell (the old headless mode) when installed: it cut the suite's CPU
# (its whole process tree) from about 220 to 100 CPU-s against the full browser's new headless mode.
# The binary, not the /usr/bin shell wrapper, so that no shell sits between Playwright and the browser.
HEADLESS_SHELL = Path("/usr/lib/chromium/chromium-headless-shell")
CHROMIUM = Path(os.environ.get("LMS_CHROMIUM") or (HEADLESS_SHELL if HEADLESS_SHELL.is_file() else "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
PASSWORD = "violet harbour lantern 42"
ATTEMPT_URL = re.compile(r"/courses/medical-office-manager/attempts/(\d+)$")


def pytest_collection_finish(session) -> None:
    """Keep Python's garbage collector off the objects import and collection made, and run it less often."""
    # This one process serves the app and drives Playwright, allocating much: it cut its CPU by a quarter.
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


def _chromium_found() -> bool:
    return CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)


def pytest_collection_modifyitems(config, items) -> None:
    if _chromium_found():
        return
    skip = pytest.mark.skip(
        reason=f"browser tests skipped: Chromium not found at {CHROMIUM}; `apt-get install chromium-headless-shell`"
    )
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Save a full-page screenshot of every open page when a test fails (before its fixtures close them)."""
    report = yield
    if report.when == "call" and report.failed and item.path.is_relative_to(HERE):
        browser: Browser | None = item.funcargs.get("browser")
        pages = [page for context in browser.contexts for page in context.pages] if browser else []
        if pages:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", item.name).strip("_")
        for number, page in enumerate(pages, start=1):
            path = SCREENSHOTS / (f"{name}.png" if number == 1 else f"{name}-{number}.png")
            try:
                page.screenshot(path=path, full_page=True)
            except Exception as error:  # a crashed page must not hide the test's own failure
                report.sections.append(("screenshot", f"could not save {path}: {error}"))
            else:
                report.sections.append(("screenshot", str(path)))
    return report


# -- the app -----------------------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


def _read_whole(app: Flask):
    """The app with each response body read whole (and its iterable closed) before the server sends it.

    A browser that leaves a page while one of its files still loads drops that connection; when the
    drop surfaces while Werkzeug's server drains the socket, it skips closing the response's file,
    and the ResourceWarning fails whichever test is running then.
    """

    def middleware(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return middleware


@dataclass
class LiveServer:
    url: str
    app: Flask
    errors: list[BaseException]
    inbox: Inbox  # every mail the app sends, caught by a real SMTP server on a free port


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """Serve the real app on 127.0.0.1 and a free port from a background thread; yield its URL."""
    database = tmp_path_factory.mktemp("browser-db") / "lms.sqlite3"
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "SECRET_KEY": "browser-tests-secret-key",
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",  # scrypt is tested in tests/test_config.py
            "COURSE_PACK_PATH": str(PROJECT_ROOT),
            "ENROLLMENT_CODE": None,
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            "LTI_KEY_FILE": str(database.parent / "lti-key.pem"),
            "MAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        }
    )
    with app.app_context():
        upgrade(directory=str(PROJECT_ROOT / "migrations"))
    errors: list[BaseException] = []

    def record(sender, exception, **extra) -> None:
        errors.append(exception)

    got_request_exception.connect(record, app)
    server = make_server("127.0.0.1", 0, _read_whole(app), threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="lms-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, errors, inbox)
    finally:
        smtp.stop()
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        got_request_exception.disconnect(record, app)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(autouse=True)
def _no_server_errors(live_server) -> Iterator[None]:
    """Fail a test whose requests raised inside the app (the browser only sees a styled 500 page)."""
    live_server.errors.clear()
    yield
    assert not live_server.errors, f"the app raised during this test: {live_server.errors!r}"


# -- the browser (pytest-playwright's fixtures, pointed at Debian's Chromium) ---------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args) -> dict:
    return {"headless": True, **browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """The live server's URL, which pytest-playwright gives every context as its base URL.

    Defined here also because the plugin's own fallback fixture is an instance method, which
    pytest 9 deprecates (a warning, so an error under this suite's settings).
    """
    return live_server.url


# A local server answers in milliseconds: fail in seconds, not after Playwright's default 30.
ACTION_TIMEOUT_MS = 10_000
expect.set_options(timeout=5_000)


@pytest.fixture
def new_context(new_context):
    """pytest-playwright's context factory, with a shorter timeout for every action."""

    def make(**kwargs):
        context = new_context(**kwargs)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        return context

    return make


# -- accounts, quizzes and answers ---------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    name: str
    email: str
    password: str = PASSWORD


def unique_email(who: str) -> str:
    return f"{who}-{uuid.uuid4().hex[:12]}@example.org"


def _choice_label(question: Question, value: str) -> str:
    if isinstance(question, TrueFalseQuestion):
        return value.capitalize()
    return {option.id: option.text for option in question.options_to_shuffle()}[value]


def form_actions(number: int, question: Question, right: bool) -> list[tuple[str, str, str]]:
    """Turn the form fields that answer a question into (kind, field label, choice label) steps.

    kind is "check" for a radio button or checkbox (labelled by its choice) and "select" for a
    drop-down (labelled by its item, choosing the option labelled choice).
    """
    name = f"q{number}"
    fields = (right_fields if right else wrong_fields)(name, question)
    steps = []
    for key, value in fields.items():
        if key == name:
            for choice in value if isinstance(value, list) else [value]:
                steps.append(("check", _choice_label(question, choice), ""))
            continue
        part = key.removeprefix(f"{name}-")
        if isinstance(question, OrderingQuestion):
            item = {option.id: option.text for option in question.sequence}[part]
            steps.append(("select", item, value))
        elif isinstance(question, MatchingQuestion):
            term = {option.id: option.text for option in question.terms}[part]
            steps.append(("select", term, _choice_label(question, value)))
        else:
            raise TypeError(question)
    return steps


DRAWS = 150  # redraws of a quiz until it has the types a test needs (see Site.start_quiz)


class Site:
    """Set-up and look-ups around the live app: accounts, attempts and their answer keys."""

    def __init__(self, server: LiveServer):
        self.server = server
        self.app = server.app
        self.course: Course = server.app.extensions["lms.catalog"].default

    def lesson_with_every_type(self) -> Lesson:
        """The last lesson whose question bank holds every question type."""
        lessons = [
            lesson for lesson in self.course.lessons if {q.type for q in lesson.questions} >= set(QUESTION_TYPES)
        ]
        assert lessons, "no question bank in the course pack holds every question type"
        return lessons[-1]

    def add_learner(self, name: str = "Lee Learner", enrolled: bool = True) -> Account:
        """Create a learner account straight in the database (enrolled by default)."""
        account = Account(name, unique_email("learner"))
        with self.app.app_context():
            user = register_user(account.name, account.email, account.password)
            if enrolled:
                enroll(user.id, self.course, None, None)
            db.session.commit()
        return account

    def add_instructor(self, name: str = "Irene Instructor") -> Account:
        account = Account(name, unique_email("instructor"))
        with self.app.app_context():
            create_staff(account.name, account.email, account.password, self.course)
            db.session.commit()
        return account

    def sign_in(self, page: Page, account: Account) -> None:
        """Sign in through the form."""
        page.goto("/account/login")
        page.get_by_label("Email").fill(account.email)
        page.get_by_label("Password", exact=True).fill(account.password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text(f"Signed in as {account.name}.")).to_be_visible()

    @staticmethod
    def attempt_id(page: Page) -> int:
        match = ATTEMPT_URL.search(page.url)
        assert match, f"not on a quiz attempt: {page.url}"
        return int(match.group(1))

    def questions(self, attempt_id: int) -> list[Question]:
        """The attempt's questions in the order the page shows them (from its stored layout)."""
        with self.app.app_context():
            attempt = db.session.get(Attempt, attempt_id)
            return QuizAnswers(self.course, attempt).questions

    def enrollment_id(self, email: str) -> int:
        with self.app.app_context():
            query = db.select(Enrollment.id).join(User, User.id == Enrollment.user_id).where(User.email == email)
            return db.session.execute(query).scalar_one()

    def cohort_id(self, email: str) -> int:
        with self.app.app_context():
            query = db.select(Enrollment.cohort_id).join(User, User.id == Enrollment.user_id).where(User.email == email)
            return db.session.execute(query).scalar_one()

    def start_quiz(self, page: Page, lesson_id: str, needs: tuple[str, ...] = ()) -> list[Question]:
        """Start (or retake) a lesson's quiz from its page; redraw until the draw has the `needs` types.

        Draws are random. A draw without the `needs` types is redrawn on the server, as the start
        button would draw it, and the quiz page's resume link then opens the draw that has them.
        A draw of the real pack has all five types about once in 13 (the blueprint covers
        objectives first): 150 tries fail about once in 100,000 runs.
        """
        attempt_id = self._click_start(page, lesson_id)
        questions = self.questions(attempt_id)
        if set(needs) <= {question.type for question in questions}:
            return questions
        drawn = self._redraw(attempt_id, needs)
        page.goto(f"/courses/medical-office-manager/quizzes/{lesson_id}")
        page.get_by_role("link", name=re.compile(r"^Resume attempt \d+$")).click()
        page.wait_for_url(ATTEMPT_URL)
        assert self.attempt_id(page) == drawn, f"the quiz page resumed {page.url}, not attempt {drawn}"
        return self.questions(drawn)

    def _click_start(self, page: Page, lesson_id: str) -> int:
        if not page.url.endswith(f"/courses/medical-office-manager/quizzes/{lesson_id}"):
            page.goto(f"/courses/medical-office-manager/quizzes/{lesson_id}")
        page.get_by_role("button", name=re.compile(r"^(Start|Retake) the quiz$")).click()
        page.wait_for_url(ATTEMPT_URL)
        return self.attempt_id(page)

    def _redraw(self, attempt_id: int, needs: tuple[str, ...]) -> int:
        """Discard the open attempt and draw again with the app's own service until a draw has `needs`."""
        # In-process: each draw through the browser costs two page loads, and a test needs about 13.
        rng = random.Random()
        with self.app.app_context():
            attempt = db.session.get(Attempt, attempt_id)
            enrollment, lesson = attempt.enrollment_id, self.course.lesson(attempt.lesson_id)
            for _ in range(DRAWS):
                assert not attempt.is_submitted
                discard_attempt(attempt)
                attempt = start_attempt(db.session.get(Enrollment, enrollment), self.course, lesson, rng)
                db.session.commit()
                if set(needs) <= {question.type for question in QuizAnswers(self.course, attempt).questions}:
                    return attempt.id
        raise AssertionError(f"{DRAWS} draws of {lesson.id} never had every one of {needs}")

    def answer(self, page: Page, correct: int | None = None) -> list[Question]:
        """Answer the attempt on the page with the mouse: the first `correct` questions right (all when None)."""
        questions = self.questions(self.attempt_id(page))
        for number, question in enumerate(questions, start=1):
            fieldset = page.locator(f"#question-{number}")
            right = correct is None or number <= correct
            for kind, label, choice in form_actions(number, question, right):
                control = fieldset.get_by_label(label, exact=True)
                if kind == "check":
                    control.check()
                else:
                    control.select_option(label=choice)
        return questions


@pytest.fixture
def site(live_server) -> Site:
    return Site(live_server)
