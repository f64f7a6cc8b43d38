"""Help when stuck: extra attempts, resets and attempt limits, who may make them, bad input, and the audit trail."""

import json
import re

import pytest

from lms.extensions import db
from lms.models import AttemptLimit, Enrollment, LearnerQuizOverride, LessonProgress, OverrideEvent
from lms.services.cohorts import limit_staff
from lms.services.enrollments import enroll
from lms.services.summaries import refresh_stale_summaries

from ..conftest import MINI_PACK
from .test_cohorts import cohort

BASE = "/courses/mini-course"


@pytest.fixture
def app_config():
    return {"COURSE_PACK_PATH": str(MINI_PACK)}


@pytest.fixture
def stuck(learner, learner_client, quiz, enrollment_of):
    """The learner has failed both attempts (the mini pack allows 2) at the alpha quiz."""
    quiz.take(learner_client, "alpha", correct=0)
    quiz.take(learner_client, "alpha", correct=0)
    return enrollment_of(learner)


def events() -> list[OverrideEvent]:
    return list(db.session.execute(db.select(OverrideEvent).order_by(OverrideEvent.id)).scalars())


def grant(client, enrollment, attempts="1", reason="Missed the lesson through illness", lesson="alpha"):
    return client.post(
        f"{BASE}/instructor/learners/{enrollment.id}/quizzes/{lesson}/grant",
        data={f"grant-{lesson}-attempts": attempts, f"grant-{lesson}-reason": reason},
    )


def reset(client, enrollment, reason="Started the quiz by mistake", lesson="alpha"):
    return client.post(
        f"{BASE}/instructor/learners/{enrollment.id}/quizzes/{lesson}/reset", data={f"reset-{lesson}-reason": reason}
    )


def test_out_of_attempts_the_quiz_page_and_dashboard_say_so_and_how_to_get_help(stuck, learner_client):
    for path in (f"{BASE}/quizzes/alpha", f"{BASE}/dashboard"):
        page = learner_client.get(path).get_data(as_text=True)
        assert "used all 2 attempts" in page or "used every attempt" in page, path
        assert "ask your instructor" in page, path
    assert learner_client.post(f"{BASE}/quizzes/alpha/attempts").status_code == 403


def test_an_extra_attempt_lets_the_learner_try_again_and_is_recorded(
    stuck, learner_client, instructor_client, instructor, quiz
):
    response = grant(instructor_client, stuck)
    assert response.status_code == 303
    [event] = events()
    assert (event.action, event.amount, event.actor_id, event.enrollment_id) == ("grant", 1, instructor.id, stuck.id)
    assert event.reason == "Missed the lesson through illness" and event.created_at is not None
    assert "1 attempt left" in learner_client.get(f"{BASE}/quizzes/alpha").get_data(as_text=True)
    passed = quiz.take(learner_client, "alpha")
    assert passed.passed and passed.number == 3
    assert learner_client.post(f"{BASE}/quizzes/alpha/attempts").status_code == 403, "the grant is used"
    page = instructor_client.get(f"{BASE}/instructor/learners/{stuck.id}").get_data(as_text=True)
    assert "Granted 1 extra attempt" in page and "Missed the lesson through illness" in page
    assert "Irene Instructor" in page


def test_a_reset_sets_attempts_aside_keeps_the_history_and_recomputes_readiness(
    stuck, learner_client, instructor_client, quiz, course
):
    db.session.refresh(stuck)
    assert stuck.attempts_used == 2
    db.session.rollback()  # the test's session reads no more while the request writes
    assert reset(instructor_client, stuck).status_code == 303
    db.session.expire_all()
    progress = db.session.execute(
        db.select(LessonProgress).where(LessonProgress.enrollment_id == stuck.id, LessonProgress.lesson_id == "alpha")
    ).scalar_one()
    assert progress.attempts_count == 0 and progress.best_score is None and progress.passed_at is None
    enrollment = db.session.get(Enrollment, stuck.id)
    assert enrollment.attempts_used == 0 and enrollment.readiness_score == 0
    assert enrollment.readiness_band == course.readiness.bands[-1].name
    # The refresh command, run on this learner, finds the same summary.
    enrollment.summary_key = None
    db.session.commit()
    assert refresh_stale_summaries(course) == 1
    assert db.session.get(Enrollment, stuck.id).attempts_used == 0
    db.session.commit()
    page = instructor_client.get(f"{BASE}/instructor/learners/{stuck.id}").get_data(as_text=True)
    assert page.count("Set aside by a reset") == 2 and "Started the quiz by mistake" in page
    fresh = quiz.take(learner_client, "alpha")
    assert fresh.number == 3 and fresh.passed
    assert "1 attempt left" in learner_client.get(f"{BASE}/quizzes/alpha").get_data(as_text=True)
    assert reset(instructor_client, stuck).status_code == 303
    assert reset(instructor_client, stuck).status_code == 400, "nothing left to reset"
    assert [event.action for event in events()] == ["reset", "reset"]


@pytest.mark.parametrize(
    ("attempts", "reason"),
    [
        ("0", "why"),
        ("11", "why"),
        ("-1", "why"),
        ("two", "why"),
        ("", "why"),
        ("1", ""),
        ("1", "   "),
        ("1", "x" * 501),
    ],
)
def test_bad_grants_get_400_and_write_nothing(stuck, instructor_client, attempts, reason):
    assert grant(instructor_client, stuck, attempts, reason).status_code == 400
    assert events() == []
    assert db.session.execute(db.select(LearnerQuizOverride)).first() is None


def test_a_reset_needs_a_reason_and_attempts(stuck, learner, instructor_client, make_user, enrollment_of):
    assert reset(instructor_client, stuck, reason="").status_code == 400
    idle = enrollment_of(make_user("Idle One", "idle@example.org"))
    assert reset(instructor_client, idle).status_code == 400
    assert events() == []


def test_unknown_quiz_or_learner_is_404(stuck, instructor_client, instructor, enrollment_of):
    assert grant(instructor_client, stuck, lesson="nope").status_code == 404
    assert grant(instructor_client, stuck.__class__(id=999_999)).status_code == 404
    assert events() == []


def test_learners_and_assistants_get_403(stuck, learner_client, app, assistant):
    tess = app.test_client(user=assistant)
    for client in (learner_client, tess):
        assert grant(client, stuck).status_code == 403
        assert reset(client, stuck).status_code == 403
        response = client.post(
            f"{BASE}/instructor/limits/alpha", data={"limit-alpha-max_attempts": "5", "limit-alpha-reason": "x"}
        )
        assert response.status_code == 403
    assert events() == []
    assert tess.get(f"{BASE}/instructor/learners/{stuck.id}").status_code == 200
    assert "Grant attempts" not in tess.get(f"{BASE}/instructor/learners/{stuck.id}").get_data(as_text=True)


def test_an_instructor_of_cohort_x_cannot_act_on_cohort_y(app, course, make_user, make_staff, quiz, enrollment_of):
    x, y = cohort(course, "x", code="X"), cohort(course, "y", code="Y")
    yuri = make_user("Yuri Y", "yuri@example.org", enrolled=False)
    enroll(yuri.id, course, "Y")
    limited = make_staff("Lim Ited", "limited@example.org")
    limit_staff(enrollment_of(limited), [x])
    db.session.commit()
    client = app.test_client(user=limited)
    assert grant(client, enrollment_of(yuri)).status_code == 404
    assert reset(client, enrollment_of(yuri)).status_code == 404
    course_wide = {"limit-alpha-cohort": "", "limit-alpha-max_attempts": "5", "limit-alpha-reason": "x"}
    assert client.post(f"{BASE}/instructor/limits/alpha", data=course_wide).status_code == 400, "not offered"
    other = {**course_wide, "limit-alpha-cohort": str(y.id)}
    assert client.post(f"{BASE}/instructor/limits/alpha", data=other).status_code == 400, "not offered"
    assert events() == []


def test_limits_per_cohort_and_course(app, course, make_user, instructor_client, quiz, enrollment_of, learner):
    x = cohort(course, "x", code="X")
    xena = make_user("Xena X", "xena@example.org", enrolled=False)
    enroll(xena.id, course, "X")
    db.session.commit()
    xena_client = app.test_client(user=xena)

    def set_limit(value, cohort_id=""):
        data = {"limit-alpha-cohort": cohort_id, "limit-alpha-max_attempts": value, "limit-alpha-reason": "Term plan"}
        return instructor_client.post(f"{BASE}/instructor/limits/alpha", data=data)

    assert set_limit("4").status_code == 303
    assert set_limit("1", str(x.id)).status_code == 303
    ada = app.test_client(user=learner)
    assert "You may take it 4 times" in ada.get(f"{BASE}/quizzes/alpha").get_data(as_text=True)
    assert "You may take it 1 time;" in xena_client.get(f"{BASE}/quizzes/alpha").get_data(as_text=True)
    quiz.take(xena_client, "alpha", correct=0)
    assert xena_client.post(f"{BASE}/quizzes/alpha/attempts").status_code == 403
    assert set_limit("0", str(x.id)).status_code == 303
    assert "as often as you like" in xena_client.get(f"{BASE}/quizzes/alpha").get_data(as_text=True)
    assert set_limit("", str(x.id)).status_code == 303, "blank goes back to the course's limit"
    assert "You may take it 4 times" in xena_client.get(f"{BASE}/quizzes/alpha").get_data(as_text=True)
    assert [row.max_attempts for row in db.session.execute(db.select(AttemptLimit)).scalars()] == [4]
    assert [e.action for e in events()] == ["limit", "limit", "limit", "clear-limit"]
    page = instructor_client.get(f"{BASE}/instructor/limits").get_data(as_text=True)
    assert "Term plan" in page and "back to the course" in page


@pytest.mark.parametrize("value", ["-1", "101", "many"])
def test_bad_limits_get_400_and_write_nothing(instructor_client, value):
    data = {"limit-alpha-cohort": "", "limit-alpha-max_attempts": value, "limit-alpha-reason": "why"}
    assert instructor_client.post(f"{BASE}/instructor/limits/alpha", data=data).status_code == 400
    data = {"limit-alpha-cohort": "", "limit-alpha-max_attempts": "", "limit-alpha-reason": "why"}
    assert instructor_client.post(f"{BASE}/instructor/limits/alpha", data=data).status_code == 400, "nothing to clear"
    assert events() == [] and db.session.execute(db.select(AttemptLimit)).first() is None


def test_the_learners_data_download_includes_the_overrides(stuck, learner_client, instructor_client):
    grant(instructor_client, stuck, "2", "Exam week")
    response = learner_client.get("/account/data.json")
    data = json.loads(response.get_data(as_text=True))
    [override] = data["enrollments"][0]["overrides"]
    assert override["action"] == "grant" and override["amount"] == 2 and override["reason"] == "Exam week"
    assert override["by"] == "Irene Instructor" and override["quiz"] == "alpha" and override["at"]


def test_overrides_need_the_csrf_token(app, stuck, instructor):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client(user=instructor)
    assert grant(client, stuck).status_code == 400
    assert reset(client, stuck).status_code == 400
    page = client.get(f"{BASE}/instructor/learners/{stuck.id}").get_data(as_text=True)
    assert page.count('name="grant-alpha-csrf_token"') == 1 and 'name="reset-alpha-csrf_token"' in page
    assert events() == []


def test_the_roster_filters_and_counts_learners_out_of_attempts(
    stuck, app, make_user, quiz, instructor_client, learner
):
    trying = make_user("Tim Trying", "tim@example.org")
    quiz.take(app.test_client(user=trying), "alpha", correct=0)
    passed = make_user("Pat Passed", "pat@example.org")
    quiz.take(app.test_client(user=passed), "alpha")

    def stuck_names():
        page = instructor_client.get(f"{BASE}/instructor/?status=out-of-attempts").get_data(as_text=True)
        body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
        return re.findall(r'<a href="/courses/mini-course/instructor/learners/\d+[^"]*">([^<]+)</a>', body)

    assert stuck_names() == ["Ada Learner"]
    roster = instructor_client.get(f"{BASE}/instructor/").get_data(as_text=True)
    assert '<span class="stat-label">Out of attempts</span> <span class="stat-value">1</span>' in roster
    assert 'href="/courses/mini-course/instructor/?status=out-of-attempts"' in roster
    grant(instructor_client, stuck)
    assert stuck_names() == []


def test_the_learner_page_keeps_the_rosters_filters_in_its_breadcrumb(stuck, instructor_client):
    page = instructor_client.get(f"{BASE}/instructor/learners/{stuck.id}?status=out-of-attempts&q=ada&bogus=1")
    html = page.get_data(as_text=True)
    assert 'href="/courses/mini-course/instructor/?q=ada&amp;status=out-of-attempts"' in html
    assert "bogus" not in html
