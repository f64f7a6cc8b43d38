"""Quizzes through the test client: start, take, grade once, review, and refuse bad input."""

import pytest

from lms.extensions import db
from lms.models import Attempt, AttemptAnswer, Enrollment, LessonProgress

from ..conftest import MINI_PACK


@pytest.fixture
def app_config():
    return {"COURSE_PACK_PATH": str(MINI_PACK)}


def count(model) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def snapshot():
    """Everything a quiz submission may write, to prove that a refused one wrote nothing."""
    db.session.expire_all()
    attempts = [(a.id, a.submitted_at, a.score) for a in db.session.execute(db.select(Attempt)).scalars()]
    progress = [
        (p.lesson_id, p.attempts_count, p.best_score) for p in db.session.execute(db.select(LessonProgress)).scalars()
    ]
    enrollments = [
        (e.readiness_score, e.lessons_completed) for e in db.session.execute(db.select(Enrollment)).scalars()
    ]
    return attempts, progress, enrollments, count(AttemptAnswer)


def test_start_draws_and_fixes_the_questions(learner_client, quiz, course):
    attempt = quiz.start(learner_client, "alpha")
    assert attempt.number == 1 and not attempt.is_submitted
    assert len(attempt.layout) == course.quiz.questions_per_attempt
    ids = [item["q"] for item in attempt.layout]
    assert len(set(ids)) == len(ids) and set(ids) <= {q.id for q in course.lesson("alpha").questions}
    again = quiz.start(learner_client, "alpha")
    assert again.id == attempt.id and again.layout == attempt.layout, "an open attempt is resumed, not redrawn"


def test_the_page_shows_what_the_attempt_fixed_and_no_answer_key(learner_client, quiz, course):
    attempt = quiz.start(learner_client, "alpha")
    page = learner_client.get(f"/courses/mini-course/attempts/{attempt.id}").get_data(as_text=True)
    answers = quiz.answers(attempt)
    positions = [page.index(question.prompt) for question in answers.questions]
    assert positions == sorted(positions), "questions appear in the attempt's order"
    for shown, question in zip(answers.presented, answers.questions, strict=True):
        texts = {o.id: o.text for o in question.options_to_shuffle()}
        if question.type in ("single", "multiple"):
            offsets = [page.index(f'value="{oid}"') for oid in shown.option_order]
            assert offsets == sorted(offsets), "options appear in the attempt's order"
        if question.type == "ordering":
            offsets = [page.index(f'-{oid}"') for oid in shown.option_order]
            assert offsets == sorted(offsets), "items appear in the attempt's order"
        assert all(text in page for text in texts.values())
        assert question.explanation not in page, "explanations only after grading"
    assert "answer_id" not in page and "correct" not in page.lower().replace("correctly", "")


def test_full_marks_pass_and_update_progress_and_readiness(learner_client, quiz, enrollment_of, learner):
    attempt = quiz.take(learner_client, "alpha")
    assert attempt.is_submitted and attempt.score == 100 and attempt.passed
    answers = db.session.execute(db.select(AttemptAnswer).order_by(AttemptAnswer.position)).scalars().all()
    assert [a.question_id for a in answers] == [item["q"] for item in attempt.layout]
    assert all(a.correct and a.credit == 1 for a in answers)
    progress = db.session.execute(db.select(LessonProgress).filter_by(lesson_id="alpha")).scalar_one()
    assert progress.attempts_count == 1 and progress.best_score == 100 and progress.passed_at is not None
    enrollment = enrollment_of(learner)
    assert enrollment.readiness_score == 50 and enrollment.readiness_band == "Almost"
    assert enrollment.lessons_completed == 0, "passed but not read: not complete"


def test_result_page_shows_score_explanations_and_source_links(learner_client, quiz):
    attempt = quiz.take(learner_client, "alpha", correct=2)
    page = learner_client.get(f"/courses/mini-course/attempts/{attempt.id}/result").get_data(as_text=True)
    assert f"{attempt.score:.0f}%" in page and "Not passed" in page
    answers = quiz.answers(attempt)
    for question in answers.questions:
        assert question.explanation in page
        assert f'href="/courses/mini-course/lessons/alpha?result={attempt.id}#{question.source_anchor}"' in page
    assert page.count('badge-success">Correct') == 2
    assert "Try again" in page


def test_partial_credit_is_recorded(learner_client, quiz, full_attempt):
    attempt = full_attempt
    answers = quiz.answers(attempt)
    data = answers.form()
    number = next(n for n, q in enumerate(answers.questions, start=1) if q.type == "multiple")
    question = answers.questions[number - 1]
    data[f"q{number}"] = sorted(question.answer_ids)[:2]  # two of the three right options
    learner_client.post(f"/courses/mini-course/attempts/{attempt.id}", data=data)
    answer = db.session.execute(db.select(AttemptAnswer).filter_by(question_id=question.id)).scalar_one()
    assert answer.credit == pytest.approx(2 / 3) and not answer.correct
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).score == pytest.approx(round(100 * (4 + 2 / 3) / 5, 2))


def test_second_submit_changes_nothing_and_shows_the_result(learner_client, quiz):
    attempt = quiz.take(learner_client, "alpha", correct=5)
    before = snapshot()
    wrong = quiz.answers(attempt).form(correct=0)
    response = learner_client.post(f"/courses/mini-course/attempts/{attempt.id}", data=wrong)
    assert response.status_code == 303 and response.location == f"/courses/mini-course/attempts/{attempt.id}/result"
    assert snapshot() == before
    page = learner_client.get(response.location).get_data(as_text=True)
    assert "already submitted; nothing was changed" in page


def test_fail_retake_pass_and_attempt_history(learner_client, quiz):
    first = quiz.take(learner_client, "alpha", correct=1)
    assert not first.passed
    second = quiz.take(learner_client, "alpha")
    assert second.number == 2 and second.passed
    page = learner_client.get("/courses/mini-course/quizzes/alpha").get_data(as_text=True)
    assert (
        "Attempt history" in page
        and f"/courses/mini-course/attempts/{first.id}/result" in page
        and f"/courses/mini-course/attempts/{second.id}/result" in page
    )
    progress = db.session.execute(db.select(LessonProgress).filter_by(lesson_id="alpha")).scalar_one()
    assert (progress.attempts_count, progress.first_score, progress.latest_score, progress.best_score) == (
        2, first.score, 100, 100,
    )  # fmt: skip


def test_attempt_limit_holds(learner_client, quiz):
    quiz.take(learner_client, "alpha", correct=0)
    quiz.take(learner_client, "alpha", correct=0)
    before = snapshot()
    response = learner_client.post("/courses/mini-course/quizzes/alpha/attempts")
    assert response.status_code == 403
    assert "used all 2 attempts" in response.get_data(as_text=True)
    assert snapshot() == before
    assert "You have used all 2 attempts" in learner_client.get("/courses/mini-course/quizzes/alpha").get_data(
        as_text=True
    )


def test_someone_elses_attempt_is_forbidden(app, learner_client, quiz, make_user):
    attempt = quiz.start(learner_client, "alpha")
    data = quiz.answers(attempt).form()
    other = app.test_client(user=make_user("Eve", "eve@example.org"))
    before = snapshot()
    assert other.get(f"/courses/mini-course/attempts/{attempt.id}").status_code == 403
    assert other.post(f"/courses/mini-course/attempts/{attempt.id}", data=data).status_code == 403
    assert other.get(f"/courses/mini-course/attempts/{attempt.id}/result").status_code == 403
    assert snapshot() == before


def tamper_unknown_option(data, answers):
    name = next(k for k, v in data.items() if isinstance(v, str) and "-" not in k)
    data[name] = "0000000000"


def tamper_extra_question(data, answers):
    data["q99"] = "true"


def tamper_option_from_another_question(data, answers):
    other = next(q for q in answers.questions[1:] if q.options_to_shuffle())
    first = answers.questions[0]
    name = "q1" if first.type not in ("ordering", "matching") else next(k for k in data if k.startswith("q1-"))
    data[name] = other.options_to_shuffle()[0].id


def tamper_two_values_for_one_choice(data, answers):
    number = next(n for n, q in enumerate(answers.questions, start=1) if q.type in ("single", "true_false"))
    question = answers.questions[number - 1]
    ids = ["true", "false"] if question.type == "true_false" else [o.id for o in question.options[:2]]
    data[f"q{number}"] = ids


def tamper_bad_position(data, answers):
    name = next(k for k in data if k.startswith("q") and "-" in k and data[k].isdigit())
    data[name] = "9"


def tamper_bogus_true_false(data, answers):
    number = next(n for n, q in enumerate(answers.questions, start=1) if q.type == "true_false")
    data[f"q{number}"] = "maybe"


TAMPERING = [
    tamper_unknown_option,
    tamper_extra_question,
    tamper_option_from_another_question,
    tamper_two_values_for_one_choice,
    tamper_bad_position,
    tamper_bogus_true_false,
]


@pytest.fixture
def full_attempt(learner_client, quiz, course):
    """An attempt holding every question type (the alpha bank has six questions: redraw until so)."""
    while True:
        attempt = quiz.start(learner_client, "alpha")
        types = {q.type for q in quiz.answers(attempt).questions}
        if types >= {"single", "multiple", "true_false", "ordering", "matching"}:
            return attempt
        db.session.delete(attempt)
        db.session.commit()


@pytest.mark.parametrize("tamper", TAMPERING, ids=lambda f: f.__name__)
def test_tampered_forms_get_400_and_write_nothing(learner_client, quiz, full_attempt, tamper):
    answers = quiz.answers(full_attempt)
    data = answers.form()
    tamper(data, answers)
    before = snapshot()
    response = learner_client.post(f"/courses/mini-course/attempts/{full_attempt.id}", data=data)
    assert response.status_code == 400
    assert "nothing was saved" in response.get_data(as_text=True)
    assert snapshot() == before


@pytest.mark.parametrize("drop", ["q1", "all", "one position", "one match"])
def test_incomplete_forms_are_shown_again_and_write_nothing(learner_client, quiz, full_attempt, drop):
    answers = quiz.answers(full_attempt)
    data = answers.form()
    if drop == "all":
        data = {}
    elif drop == "one position":
        number = next(n for n, q in enumerate(answers.questions, start=1) if q.type == "ordering")
        data.pop(next(k for k in data if k.startswith(f"q{number}-")))
    elif drop == "one match":
        number = next(n for n, q in enumerate(answers.questions, start=1) if q.type == "matching")
        data.pop(next(k for k in data if k.startswith(f"q{number}-")))
    else:
        data = {k: v for k, v in data.items() if k != "q1" and not k.startswith("q1-")}
    before = snapshot()
    response = learner_client.post(f"/courses/mini-course/attempts/{full_attempt.id}", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Some questions still need an answer" in page and 'aria-describedby="q' in page
    assert snapshot() == before


def test_duplicate_positions_in_an_ordering_question_are_refused(learner_client, quiz, full_attempt):
    answers = quiz.answers(full_attempt)
    data = answers.form()
    number = next(n for n, q in enumerate(answers.questions, start=1) if q.type == "ordering")
    for key in data:
        if key.startswith(f"q{number}-"):
            data[key] = "1"
    before = snapshot()
    response = learner_client.post(f"/courses/mini-course/attempts/{full_attempt.id}", data=data)
    assert response.status_code == 400
    assert "Give each item a different position." in response.get_data(as_text=True)
    assert snapshot() == before


def test_an_attempt_whose_questions_left_the_pack_is_replaced_without_using_a_try(learner_client, quiz):
    attempt = quiz.start(learner_client, "alpha")
    attempt.layout = [{"q": "alpha-removed", "o": []}, *attempt.layout[1:]]
    db.session.commit()
    response = learner_client.get(f"/courses/mini-course/attempts/{attempt.id}")
    assert response.status_code == 302 and response.location == "/courses/mini-course/quizzes/alpha"
    assert count(Attempt) == 0
    fresh = quiz.start(learner_client, "alpha")
    assert fresh.number == 1
