"""Races through real threads on the run's database (a WAL SQLite file, or PostgreSQL).

Each thread has its own test client, so each request has its own app context, session and
connection, as under a threaded server; the views commit, and a failure in a thread is re-raised
(under TESTING a view's exception propagates instead of becoming a 500). Threads start together
at a barrier; where the race needs a precise interleaving, a Rendezvous (conftest) holds them
inside the window between a check and its write, so the test does not depend on luck.
"""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import lms.services.attempts as attempts_service
import lms.services.enrollments as enrollments_service
import lms.services.progress as progress_service
from lms.extensions import db
from lms.models import Attempt, AttemptAnswer, Enrollment, LessonProgress, User, utcnow
from lms.services.accounts import register_user
from lms.services.cohorts import ensure_default_cohort
from lms.services.roster import RosterFilters, iter_roster, roster_summary

from ..conftest import MINI_PACK
from ..helpers import QuizAnswers
from .conftest import THREAD_TIMEOUT, WINDOW, release_main_session, run_together

ALREADY_SUBMITTED = "This attempt was already submitted"
MEET = 10  # seconds to wait at a rendezvous that every thread reaches (nothing serializes them before it)
HOLD = 5  # seconds a writer holds its lock while a reader reads


def count(model, *where) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model).where(*where)).scalar_one()


def attempt_id_of(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return int(response.location.rsplit("/", 1)[-1])


def fresh(model, *where):
    db.session.expire_all()
    return db.session.execute(db.select(model).where(*where)).scalars().all()


@pytest.fixture
def spy(monkeypatch):
    """Count the calls of a module-level function: spy(module, "name") returns a list that grows by one a call."""

    def install(module, name: str) -> list:
        calls: list[int] = []
        function = getattr(module, name)

        def counted(*args, **kwargs):
            calls.append(1)
            return function(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
        return calls

    return install


# 1. Two submits of one attempt


@pytest.mark.parametrize("window", ["at the request", "inside the service, before the claim"])
def test_two_submits_of_one_attempt_grade_it_once(app, course, learner, quiz, enrollment_of, rendezvous, spy, window):
    first, second = app.test_client(user=learner), app.test_client(user=learner)
    attempt = quiz.start(first, "alpha")
    data = quiz.answers(attempt).form(correct=4)
    if window != "at the request":
        # Both requests have read the attempt as open and are grading it when they meet.
        point = rendezvous((attempts_service, "grade_attempt"), timeout=MEET)
    refreshes = spy(attempts_service, "refresh_summary")
    url = f"/courses/mini-course/attempts/{attempt.id}"

    responses = run_together(lambda: first.post(url, data=data), lambda: second.post(url, data=data))

    if window != "at the request":
        assert point.met, "both submits were inside the window together"
    assert [r.status_code for r in responses] == [303, 303]
    assert {r.location for r in responses} == {f"{url}/result"}
    pages = [client.get(f"{url}/result").get_data(as_text=True) for client in (first, second)]
    assert sum(ALREADY_SUBMITTED in page for page in pages) == 1, "the loser is told, the winner is not"

    (graded,) = fresh(Attempt)
    assert graded.is_submitted and graded.score == 80
    answers = fresh(AttemptAnswer)
    assert len(answers) == course.quiz.questions_per_attempt
    assert sorted(a.position for a in answers) == list(range(course.quiz.questions_per_attempt))
    (progress,) = fresh(LessonProgress, LessonProgress.lesson_id == "alpha")
    assert progress.attempts_count == 1 and progress.score_total == 80 and progress.best_score == 80
    enrollment = enrollment_of(learner)
    assert enrollment.attempts_used == 1 and enrollment.readiness_score == 40
    assert len(refreshes) == 1, "readiness is refreshed once"


# 2. Two starts


@pytest.mark.parametrize("window", ["at the request", "inside the service, before the insert"])
@pytest.mark.parametrize("used", [0, 1], ids=["no attempt yet", "one attempt left"])
def test_two_starts_open_one_attempt_and_both_go_to_it(app, course, learner, quiz, rendezvous, used, window):
    first, second = app.test_client(user=learner), app.test_client(user=learner)
    for _ in range(used):
        quiz.take(first, "alpha", correct=1)
    if window != "at the request":
        rendezvous((attempts_service, "draw_attempt"))

    responses = run_together(
        lambda: first.post("/courses/mini-course/quizzes/alpha/attempts"),
        lambda: second.post("/courses/mini-course/quizzes/alpha/attempts"),
    )

    ids = {attempt_id_of(response) for response in responses}
    attempts = fresh(Attempt)
    opened = [a for a in attempts if not a.is_submitted]
    assert len(opened) == 1 and ids == {opened[0].id}, "both requests resume the one attempt opened"
    assert sorted(a.number for a in attempts) == list(range(1, used + 2))
    assert len(attempts) <= course.quiz.max_attempts


def test_the_attempt_limit_holds_when_starts_race(app, course, learner, quiz, rendezvous):
    """One attempt left, four racing starts: one opens it, the others resume it, and then no more."""
    clients = [app.test_client(user=learner) for _ in range(4)]
    quiz.take(clients[0], "alpha", correct=1)
    rendezvous((attempts_service, "draw_attempt"), parties=4)

    responses = run_together(
        *(lambda client=client: client.post("/courses/mini-course/quizzes/alpha/attempts") for client in clients)
    )

    assert len({attempt_id_of(response) for response in responses}) == 1
    assert count(Attempt) == course.quiz.max_attempts == 2
    last = fresh(Attempt, Attempt.number == 2)[0]
    assert (
        clients[1].post(f"/courses/mini-course/attempts/{last.id}", data=QuizAnswers(course, last).form()).status_code
        == 303
    )
    refused = run_together(
        *(lambda client=client: client.post("/courses/mini-course/quizzes/alpha/attempts") for client in clients)
    )
    assert [response.status_code for response in refused] == [403] * 4
    assert count(Attempt) == 2


def test_a_racing_start_that_loses_the_insert_resumes_the_winner(app, learner, rendezvous, monkeypatch):
    """Without the enrollment lock both starts insert; the unique index turns the loser into a resume."""
    monkeypatch.setattr(attempts_service, "lock_enrollment", lambda enrollment: None)
    point = rendezvous((attempts_service, "draw_attempt"), timeout=MEET)
    first, second = app.test_client(user=learner), app.test_client(user=learner)

    responses = run_together(
        lambda: first.post("/courses/mini-course/quizzes/alpha/attempts"),
        lambda: second.post("/courses/mini-course/quizzes/alpha/attempts"),
    )

    assert point.met, "both starts were past the check together"
    (attempt,) = fresh(Attempt)
    assert {attempt_id_of(response) for response in responses} == {attempt.id}


def test_a_start_that_counted_before_another_attempt_was_taken_does_not_reuse_its_number(app, course, learner):
    """A start counts, then another start opens and submits #1 before the first inserts: still no 500.

    Only a lock held from the count to the commit prevents it: the unique number would turn the late
    insert into an IntegrityError with no open attempt to resume.
    """
    late, quick = app.test_client(user=learner), app.test_client(user=learner)
    counted, taken = threading.Event(), threading.Event()
    draw = attempts_service.draw_attempt

    def draw_after_the_other_attempt(*args, **kwargs):
        if not counted.is_set():
            counted.set()
            taken.wait(timeout=WINDOW)
        return draw(*args, **kwargs)

    def start_late():
        return late.post("/courses/mini-course/quizzes/alpha/attempts")

    def take_quickly():
        counted.wait(timeout=THREAD_TIMEOUT)
        attempt_id = attempt_id_of(quick.post("/courses/mini-course/quizzes/alpha/attempts"))
        with app.app_context():
            form = QuizAnswers(course, db.session.get(Attempt, attempt_id)).form()
        submitted = quick.post(f"/courses/mini-course/attempts/{attempt_id}", data=form)
        taken.set()
        return attempt_id, submitted

    release_main_session()
    with pytest.MonkeyPatch.context() as patch, ThreadPoolExecutor(max_workers=2) as pool:
        patch.setattr(attempts_service, "draw_attempt", draw_after_the_other_attempt)
        late_start, quick_take = pool.submit(start_late), pool.submit(take_quickly)
        started, (taken_id, submitted) = late_start.result(THREAD_TIMEOUT), quick_take.result(THREAD_TIMEOUT)

    assert submitted.status_code == 303 and attempt_id_of(started) == taken_id
    (attempt,) = fresh(Attempt)
    assert attempt.number == 1 and attempt.is_submitted


# Other writes of one learner that race


@pytest.mark.parametrize("read_lesson", ["alpha", "beta"], ids=["its own lesson", "another lesson"])
def test_marking_read_while_a_quiz_is_passed_counts_both(app, learner, quiz, enrollment_of, rendezvous, read_lesson):
    """Each write recomputes the learner's summary; neither may overwrite it with a summary missing the other."""
    reader, taker = app.test_client(user=learner), app.test_client(user=learner)
    if read_lesson != "alpha":
        quiz.take(taker, read_lesson)  # passed, not yet read
        assert taker.post("/courses/mini-course/lessons/alpha/read").status_code == 302  # read, not yet passed
    attempt = quiz.start(taker, "alpha")
    data, url = quiz.answers(attempt).form(), f"/courses/mini-course/attempts/{attempt.id}"
    # Each request has written its own rows and is about to recompute the summary.
    rendezvous((attempts_service, "refresh_summary"), (progress_service, "refresh_summary"))

    read, submitted = run_together(
        lambda: reader.post(f"/courses/mini-course/lessons/{read_lesson}/read"),
        lambda: taker.post(url, data=data),
    )

    assert read.status_code == 302 and submitted.status_code == 303
    progress = {p.lesson_id: p for p in fresh(LessonProgress)}
    assert progress[read_lesson].is_read and progress["alpha"].is_passed
    enrollment = enrollment_of(learner)
    both = read_lesson != "alpha"
    assert enrollment.lessons_completed == (2 if both else 1), "each write sees the other's"
    assert (enrollment.completed_at is not None) == both
    assert enrollment.attempts_used == (2 if both else 1)
    assert enrollment.readiness_score == (100 if both else 50)


def test_two_enrollments_of_one_user_make_one(app, make_user, rendezvous, course):
    user = make_user("Double Click", "double@example.org", enrolled=False)
    ensure_default_cohort(course.id, None, utcnow())  # made by the first enrollment ever; here before the race
    db.session.commit()
    first, second = app.test_client(user=user), app.test_client(user=user)
    point = rendezvous((enrollments_service, "readiness_for"), timeout=MEET)

    responses = run_together(
        lambda: first.post("/courses/mini-course/enroll"), lambda: second.post("/courses/mini-course/enroll")
    )

    assert point.met, "both enrollments were past the check together"
    assert [response.status_code for response in responses] == [302, 302]
    (enrollment,) = fresh(Enrollment)
    assert count(LessonProgress, LessonProgress.enrollment_id == enrollment.id) == len(course.lessons)


# Durability and readers


def test_a_rolled_back_transaction_undoes_its_savepoints(app):
    """A released savepoint belongs to the request's transaction: rolling the request back undoes it.

    pysqlite begins no transaction before a SAVEPOINT, and SQLite would then commit at its RELEASE.
    """
    register_user("Ghost", "ghost@example.org", "correct horse battery")  # inserts inside a savepoint
    db.session.rollback()
    assert count(User) == 0


def test_readers_do_not_wait_for_a_writer(app, learner, make_user, quiz):
    """While a submit holds its lock (SQLite: the database's write lock), other learners' pages still load."""
    writer = app.test_client(user=learner)
    reader = app.test_client(user=make_user("Reader", "reader@example.org"))
    attempt = quiz.start(writer, "alpha")
    data, url = quiz.answers(attempt).form(), f"/courses/mini-course/attempts/{attempt.id}"
    holding, release = threading.Event(), threading.Event()
    progress_of = attempts_service.progress_row_for_writing

    def hold_the_lock(*args, **kwargs):
        holding.set()
        release.wait(timeout=HOLD)  # a reader stuck behind the writer fails the test rather than hangs
        return progress_of(*args, **kwargs)

    reader.get("/courses/mini-course/dashboard")  # first visit writes nothing, but warm up all the same
    release_main_session()
    with pytest.MonkeyPatch.context() as patch, ThreadPoolExecutor(max_workers=1) as pool:
        patch.setattr(attempts_service, "progress_row_for_writing", hold_the_lock)
        submitting = pool.submit(writer.post, url, data=data)
        try:
            assert holding.wait(timeout=THREAD_TIMEOUT)
            began = time.monotonic()
            pages = [
                reader.get(path)
                for path in (
                    "/courses/mini-course/dashboard",
                    "/courses/mini-course/quizzes/alpha",
                    "/courses/mini-course/",
                )
            ]
            waited = time.monotonic() - began
        finally:
            release.set()
        assert submitting.result(THREAD_TIMEOUT).status_code == 303
    assert [page.status_code for page in pages] == [200, 200, 200]
    assert waited < HOLD / 2, f"the reader waited {waited:.1f} s for the writer"


# 3. A crowd


LEARNERS = 200
THREADS = 16


# What is tested is that every attempt is recorded once, not how long 16 writers queue for SQLite's
# one write lock: on a loaded machine a waiter can pass the 5 s default and get the outage page.
@pytest.mark.parametrize("app_config", [{"COURSE_PACK_PATH": str(MINI_PACK), "DATABASE_LOCK_TIMEOUT": 30}])
def test_a_crowd_submitting_at_once_records_every_attempt_once(app, course, make_learners):
    learners = make_learners(LEARNERS)
    clients = [app.test_client(user=learner) for learner in learners]
    lessons = course.lesson_ids

    def take(number: int) -> tuple[int, int, str]:
        client, lesson_id = clients[number], lessons[number % len(lessons)]
        started = client.post(f"/courses/mini-course/quizzes/{lesson_id}/attempts")
        attempt_id = attempt_id_of(started)
        with app.app_context():
            form = QuizAnswers(course, db.session.get(Attempt, attempt_id)).form(correct=number % 6)
        submitted = client.post(f"/courses/mini-course/attempts/{attempt_id}", data=form)
        return attempt_id, submitted.status_code, submitted.location

    release_main_session()
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(take, range(LEARNERS), timeout=THREAD_TIMEOUT))

    assert all(
        status == 303 and location == f"/courses/mini-course/attempts/{aid}/result" for aid, status, location in results
    )
    assert len({aid for aid, _, _ in results}) == LEARNERS
    attempts = fresh(Attempt)
    assert len(attempts) == LEARNERS and all(a.is_submitted and a.number == 1 for a in attempts)
    assert count(AttemptAnswer) == LEARNERS * course.quiz.questions_per_attempt
    by_enrollment = {a.enrollment_id: a for a in attempts}
    assert len(by_enrollment) == LEARNERS, "one attempt per learner"

    enrollments = fresh(Enrollment)
    assert sum(e.attempts_used for e in enrollments) == LEARNERS
    assert all(e.attempts_used == 1 and e.started_at is not None for e in enrollments)
    # Equal weights, highest attempt, one of two sections attempted: readiness is half the score.
    assert all(e.readiness_score == pytest.approx(by_enrollment[e.id].score / 2) for e in enrollments)
    progress = fresh(LessonProgress)
    assert sum(p.attempts_count for p in progress) == LEARNERS

    summary = roster_summary(course)
    assert summary.enrolled == summary.started == LEARNERS and sum(summary.histogram) == LEARNERS
    assert summary.average_readiness == pytest.approx(statistics.mean(a.score / 2 for a in attempts))
    rows = list(iter_roster(course, RosterFilters()))
    assert len(rows) == LEARNERS and sum(row.attempts_used for row in rows) == LEARNERS


# Staff


def test_two_instructors_deleting_at_once_leave_one(app, make_user, course, rendezvous):
    """Each deletion checks that another instructor remains: under the lock only one of the two can go."""
    import lms.services.accounts as accounts_service
    from lms.services.enrollments import set_role

    first, second = (
        make_user("First", "first@example.org", enrolled=False),
        make_user("Second", "second@example.org", enrolled=False),
    )
    for user in (first, second):
        set_role(user.id, course, "instructor")
    db.session.commit()
    clients = [app.test_client(user=user) for user in (first, second)]
    # Both past their own checks' reads and at the lock together: without the lock both would delete.
    point = rendezvous((accounts_service, "_lock_staff_rows"), timeout=MEET)
    form = {"password": "correct horse battery", "confirm": "y"}
    responses = run_together(*(lambda client=client: client.post("/account/delete", data=form) for client in clients))
    assert point.met, "both deletions reached the lock together"
    assert sorted(response.status_code for response in responses) == [302, 400]
    left = fresh(Enrollment, Enrollment.course_id == course.id, Enrollment.role == "instructor")
    assert len(left) == 1
