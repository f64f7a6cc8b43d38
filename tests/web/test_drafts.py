"""Drafts through the test client: saved per question as the learner goes, restored, never graded, guarded."""

import re

import pytest

from lms.extensions import db
from lms.models import Attempt, AttemptAnswer, AttemptDraft

from ..conftest import MINI_PACK
from ..helpers import counting
from .test_quiz import snapshot


@pytest.fixture
def app_config():
    return {"COURSE_PACK_PATH": str(MINI_PACK)}


def drafts() -> dict[str, dict]:
    db.session.expire_all()
    return {d.question_id: d.values for d in db.session.execute(db.select(AttemptDraft)).scalars()}


def url(attempt: Attempt, tail: str = "") -> str:
    return f"/courses/mini-course/attempts/{attempt.id}{tail}"


def is_chosen(page: str, name: str, value: str) -> bool:
    """True if the page's form has this value ticked (a radio or checkbox) or selected (a select) for name."""
    for tag in re.findall(r"<input [^>]*>", page):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return " checked" in tag
    select = re.search(rf'<select [^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    return bool(select) and re.search(rf'<option selected value="{re.escape(value)}">', select.group(1)) is not None


def question_fields(data: dict, number: int) -> dict:
    return {k: v for k, v in data.items() if k == f"q{number}" or k.startswith(f"q{number}-")}


def test_a_saved_answer_is_restored_and_counted(learner_client, quiz):
    attempt = quiz.start(learner_client, "alpha")
    answers = quiz.answers(attempt)
    first = question_fields(answers.form(), 1)
    response = learner_client.post(url(attempt, "/draft"), data={"question": "q1", **first})
    assert response.status_code == 204
    assert list(drafts()) == [answers.questions[0].id]
    page = learner_client.get(url(attempt)).get_data(as_text=True)
    assert f"<span data-answered-count>1</span> of {len(answers.questions)} answered" in page
    for name, value in first.items():
        for one in value if isinstance(value, list) else [value]:
            assert is_chosen(page, name, one), (name, one)
    assert '<a href="#question-2">Go to the first unanswered question</a>' in page


def test_saving_again_replaces_the_draft_in_one_statement(app, learner_client, quiz):
    attempt = quiz.start(learner_client, "alpha")
    answers = quiz.answers(attempt)
    right = question_fields(answers.form(), 1)
    wrong = question_fields(answers.form(correct=0), 1)
    learner_client.post(url(attempt, "/draft"), data={"question": "q1", **right})
    with counting(db.engine) as statements:
        learner_client.post(url(attempt, "/draft"), data={"question": "q1", **wrong})
    writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert len(writes) == 1, writes
    assert len(drafts()) == 1


def test_save_and_leave_stores_every_answer_and_goes_to_the_overview(learner_client, quiz):
    attempt = quiz.start(learner_client, "alpha")
    answers = quiz.answers(attempt)
    data = {k: v for k, v in answers.form().items() if not (k == "q2" or k.startswith("q2-"))}
    response = learner_client.post(url(attempt, "/draft"), data=data)
    assert response.status_code == 303 and response.location.endswith("/quizzes/alpha")
    saved = drafts()
    assert set(saved) == {q.id for q in answers.questions}, "every question, the blank one as blank"
    assert not any(any(values) for values in saved[answers.questions[1].id].values())
    page = learner_client.get(url(attempt)).get_data(as_text=True)
    total = len(answers.questions)
    assert f"<span data-answered-count>{total - 1}</span> of {total} answered" in page
    assert '<a href="#question-2">Go to the first unanswered question</a>' in page


def test_drafts_are_not_graded_and_go_on_submit(learner_client, quiz):
    attempt = quiz.start(learner_client, "alpha")
    answers = quiz.answers(attempt)
    learner_client.post(url(attempt, "/draft"), data=answers.form())
    assert drafts()
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).submitted_at is None
    assert db.session.execute(db.select(db.func.count()).select_from(AttemptAnswer)).scalar_one() == 0
    assert learner_client.post(url(attempt), data=answers.form(correct=0)).status_code == 303
    assert drafts() == {}
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).score == 0, "graded on what was submitted, not the draft"


@pytest.mark.parametrize(
    "change",
    ["unknown question", "fields of another question", "unknown option", "question of another attempt"],
)
def test_a_draft_that_does_not_fit_is_400_and_writes_nothing(learner_client, quiz, change):
    attempt = quiz.start(learner_client, "alpha")
    data = quiz.answers(attempt).form()
    body = {"question": "q1", **question_fields(data, 1)}
    if change == "unknown question":
        body = {"question": "q99", "q99": "true"}
    elif change == "fields of another question":
        body.update(question_fields(data, 2))
    elif change == "unknown option":
        body = {"question": "q1", **{k: "0000000000" for k in question_fields(data, 1)}}
    else:
        body["question"] = "alpha-1"
    before = snapshot()
    response = learner_client.post(url(attempt, "/draft"), data=body)
    assert response.status_code == 400
    assert "nothing was saved" in response.get_data(as_text=True)
    assert drafts() == {} and snapshot() == before


def test_only_the_owner_writes_a_draft(app, learner_client, quiz, make_user):
    attempt = quiz.start(learner_client, "alpha")
    data = question_fields(quiz.answers(attempt).form(), 1)
    other = app.test_client(user=make_user("Eve", "eve@example.org"))
    assert other.post(url(attempt, "/draft"), data={"question": "q1", **data}).status_code == 403
    anonymous = app.test_client()
    assert anonymous.post(url(attempt, "/draft"), data={"question": "q1", **data}).status_code == 302
    assert drafts() == {}


def test_a_submitted_attempt_takes_no_draft(learner_client, quiz):
    attempt = quiz.take(learner_client, "alpha")
    data = question_fields(quiz.answers(attempt).form(correct=0), 1)
    before = snapshot()
    response = learner_client.post(url(attempt, "/draft"), data={"question": "q1", **data})
    assert response.status_code == 409
    assert drafts() == {} and snapshot() == before


def test_the_take_page_costs_the_same_with_and_without_drafts(learner_client, quiz):
    attempt = quiz.start(learner_client, "alpha")
    with counting(db.engine) as empty:
        learner_client.get(url(attempt))
    learner_client.post(url(attempt, "/draft"), data=quiz.answers(attempt).form())
    learner_client.get(url(attempt))  # shows Save and leave's flash: the server-side session is written once
    with counting(db.engine) as full:
        learner_client.get(url(attempt))
    assert len(full) == len(empty)
