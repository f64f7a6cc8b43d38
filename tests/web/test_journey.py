"""The whole learner journey on the real course, through the real forms."""

import re

from markupsafe import escape

from lms.extensions import db
from lms.models import Enrollment


def test_register_enroll_read_fail_retake_pass_and_get_ready(client, quiz, course):
    response = client.post(
        "/account/register",
        data={
            "name": "Maya Patel",
            "email": "maya@example.org",
            "password": "a long password",
            "confirm": "a long password",
        },
    )
    assert response.status_code == 302
    assert (
        client.post("/account/login", data={"email": "maya@example.org", "password": "a long password"}).status_code
        == 302
    )
    assert "Enroll in this course" in client.get("/courses/medical-office-manager/").get_data(as_text=True)
    assert (
        client.post("/courses/medical-office-manager/enroll").location
        == "/courses/medical-office-manager/lessons/duties"
    )

    for lesson in course.lessons:
        page = client.get(f"/courses/medical-office-manager/lessons/{lesson.id}").get_data(as_text=True)
        assert escape(lesson.title) in page and escape(lesson.objectives[0].text) in page
        assert client.post(f"/courses/medical-office-manager/lessons/{lesson.id}/read").status_code == 302

    failed = quiz.take(client, "duties", correct=3)
    assert not failed.passed and failed.score < course.quiz.pass_mark
    dashboard = client.get("/courses/medical-office-manager/dashboard").get_data(as_text=True)
    assert "Provisional" in dashboard and "Not yet" in dashboard

    passed = quiz.take(client, "duties")
    assert passed.number == 2 and passed.passed and passed.score == 100
    for lesson in course.lessons[1:]:
        assert quiz.take(client, lesson.id).passed

    dashboard = client.get("/courses/medical-office-manager/dashboard").get_data(as_text=True)
    assert "Provisional" not in dashboard
    assert re.search(r'big-number">100<', dashboard)
    assert 'band-ready">Ready' in dashboard
    assert "5 of 5 lessons complete" in dashboard
    assert "You have completed every lesson." in dashboard
    enrollment = db.session.execute(db.select(Enrollment)).scalar_one()
    assert (enrollment.readiness_score, enrollment.readiness_band, enrollment.lessons_completed) == (100, "Ready", 5)
    assert enrollment.completed_at is not None
    outline = client.get("/courses/medical-office-manager/").get_data(as_text=True)
    assert outline.count('badge-success">Complete') == 5


def test_readiness_counts_the_best_attempt_and_names_weak_lessons(learner_client, quiz, course):
    quiz.take(learner_client, "hipaa", correct=4)
    quiz.take(learner_client, "hipaa", correct=2)
    page = learner_client.get("/courses/medical-office-manager/dashboard").get_data(as_text=True)
    assert "50%" in page, "hipaa's best attempt (4 of 8) counts"
    assert re.search(r'big-number">10<', page), "50 over five equal sections"
    review = page.split("Review first", 1)[1].split("</ul>")[0]
    assert (
        "/courses/medical-office-manager/lessons/hipaa" in review
        and "(50%)" in review
        and "/courses/medical-office-manager/lessons/duties" not in review
    )
    assert "read the lesson and pass its quiz" in page
