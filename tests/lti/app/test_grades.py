"""Grades to the platform: a graded quiz queues its scores with the attempt, the worker delivers them, once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, update

from lms.extensions import db
from lms.models import Enrollment, LtiGradeOutbox, User, utcnow
from lms.services.lti.outbox import claim_due

from .conftest import COURSE


@pytest.fixture
def launched(app, lti, platform):
    """A learner launched from the platform's link to the lesson "duties", whose line item the platform has."""
    platform.line_items["1"] = {"id": f"{platform.base_url}/lineitems/1", "label": "Duties", "scoreMaximum": 100}
    client = app.test_client()
    assert lti.launch(client).status_code == 302
    return client


def _outbox() -> list[LtiGradeOutbox]:
    db.session.expire_all()
    return list(db.session.execute(select(LtiGradeOutbox).order_by(LtiGradeOutbox.id)).scalars())


def test_a_graded_quiz_reaches_the_platform(launched, quiz, runner, platform):
    attempt = quiz.take(launched, "duties")
    rows = _outbox()
    assert [(row.kind, row.status, row.attempt_id) for row in rows] == [
        ("lesson", "pending", attempt.id),
        ("readiness", "pending", attempt.id),
    ]
    result = runner.invoke(args=["lms", "lti", "deliver"])
    assert result.exit_code == 0, result.output
    assert [row.status for row in _outbox()] == ["delivered", "delivered"]
    lesson_score, readiness_score = platform.scores
    assert lesson_score[0] == "1" and lesson_score[1]["scoreGiven"] == attempt.score
    assert lesson_score[1]["userId"] == "learner-1" and lesson_score[1]["gradingProgress"] == "FullyGraded"
    readiness_item = platform.line_items[readiness_score[0]]
    assert readiness_item["label"].startswith("Readiness") and readiness_item["resourceId"] == f"{COURSE}/readiness"
    # A second quiz: the access tokens (one per scope) are cached, the Readiness line item is known.
    requests_before, items_before = platform.token_requests, len(platform.line_items)
    quiz.take(launched, "hipaa")
    assert runner.invoke(args=["lms", "lti", "deliver"]).exit_code == 0
    assert (platform.token_requests, len(platform.line_items), len(platform.scores)) == (
        requests_before,
        items_before,
        3,
    )


def test_a_platform_down_then_up_gets_each_score_once(launched, quiz, runner, platform):
    quiz.take(launched, "duties")
    platform.down = True
    assert runner.invoke(args=["lms", "lti", "deliver"]).exit_code == 0
    rows = _outbox()
    assert [(row.status, row.tries) for row in rows] == [("pending", 1), ("pending", 1)]
    assert all(row.next_attempt_at > utcnow() and "service_unavailable" in row.last_error for row in rows)
    assert runner.invoke(args=["lms", "lti", "deliver"]).output.strip() == "No score is due."
    platform.down = False
    db.session.execute(update(LtiGradeOutbox).values(next_attempt_at=utcnow()))  # the backoff has passed
    db.session.commit()
    assert runner.invoke(args=["lms", "lti", "deliver"]).exit_code == 0
    assert runner.invoke(args=["lms", "lti", "deliver"]).output.strip() == "No score is due."
    assert [row.status for row in _outbox()] == ["delivered", "delivered"]
    assert len(platform.scores) == 2


def test_a_learner_who_did_not_launch_queues_nothing(learner_client, quiz, platform):
    quiz.take(learner_client, "duties")
    assert _outbox() == []


def test_workers_at_once_never_claim_one_score_twice(app, launched, quiz):
    for _ in range(3):
        quiz.take(launched, "duties")
    total = len(_outbox())
    claims: list[list[int]] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        with app.app_context():
            barrier.wait()
            claims.append(claim_due(utcnow(), limit=total))
            db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    claimed = [row_id for ids in claims for row_id in ids]
    assert len(claims) == 4 and sorted(claimed) == sorted(set(claimed)) and len(claimed) == total


def test_the_learner_page_shows_the_grade_status_and_resends(app, launched, quiz, runner, platform, instructor):
    quiz.take(launched, "duties")
    platform.down = True
    runner.invoke(args=["lms", "lti", "deliver"])
    learner = db.session.execute(select(User).where(User.name == "Ada Lovelace")).scalar_one()
    enrollment = db.session.execute(select(Enrollment).where(Enrollment.user_id == learner.id)).scalar_one()
    teacher = app.test_client(user=instructor)
    page = teacher.get(f"/courses/{COURSE}/instructor/learners/{enrollment.id}").get_data(as_text=True)
    assert "Grades sent to the course platform" in page and "Waiting (1 tries)" in page
    platform.down = False
    resent = teacher.post(f"/courses/{COURSE}/instructor/learners/{enrollment.id}/resend-grades")
    assert resent.status_code == 302
    assert runner.invoke(args=["lms", "lti", "deliver"]).exit_code == 0
    page = teacher.get(f"/courses/{COURSE}/instructor/learners/{enrollment.id}").get_data(as_text=True)
    assert page.count("Reached the platform") == 2
