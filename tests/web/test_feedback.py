"""Feedback that teaches, through the test client: objectives missed with passages to re-read,
answers marked right or wrong, the key only when review.show_key allows, and what to do next."""

import re
import shutil

import pytest

from lms.extensions import db
from lms.models import AttemptAnswer
from lms.web.presenters import describe_key

from ..conftest import MINI_PACK


@pytest.fixture
def app_config(request, tmp_path):
    """The mini pack, with `review.show_key` set when a test is parametrized with one."""
    show_key = getattr(request, "param", None)
    if show_key is None:
        return {"COURSE_PACK_PATH": str(MINI_PACK)}
    root = tmp_path / "pack"
    shutil.copytree(MINI_PACK, root)
    with (root / "content/course.yaml").open("a") as file:
        file.write(f"review:\n  show_key: {show_key}\n")
    return {"COURSE_PACK_PATH": str(root)}


def result_page(client, attempt) -> str:
    response = client.get(f"/courses/{attempt.course_id}/attempts/{attempt.id}/result")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def review_chunks(page: str) -> list[str]:
    """The page's review items, in order (each up to the next)."""
    return page.split('<li class="review-item')[1:]


def answers_of(attempt) -> list[AttemptAnswer]:
    query = db.select(AttemptAnswer).filter_by(attempt_id=attempt.id).order_by(AttemptAnswer.position)
    return list(db.session.execute(query).scalars())


# -- by objective -------------------------------------------------------------------------------


def test_the_result_names_each_measured_objective_and_links_missed_ones_to_their_passages(learner_client, quiz, course):
    attempt = quiz.take(learner_client, "alpha", correct=0)
    page = result_page(learner_client, attempt)
    lesson = course.lesson("alpha")
    questions = quiz.answers(attempt).questions
    measured = {objective for question in questions for objective in question.objectives}
    section = page[page.index('id="objectives-heading"') : page.index('id="review-heading"')]
    for objective in lesson.objectives:
        assert (objective.text in section) is (objective.id in measured)
    assert "To review" in section and "All right" not in section
    for question in questions:
        assert f'href="/courses/mini-course/lessons/alpha?result={attempt.id}#{question.source_anchor}"' in section


def test_objectives_all_right_get_no_passage_links(learner_client, quiz):
    attempt = quiz.take(learner_client, "alpha")
    page = result_page(learner_client, attempt)
    section = page[page.index('id="objectives-heading"') : page.index('id="review-heading"')]
    assert "All right" in section and "To review" not in section and "Re-read" not in section


# -- marks and the key --------------------------------------------------------------------------


def test_every_chosen_part_is_marked_in_words(learner_client, quiz):
    attempt = quiz.take(learner_client, "alpha", correct=2)
    chunks = review_chunks(result_page(learner_client, attempt))
    questions = quiz.answers(attempt).questions
    assert len(chunks) == len(questions)
    for number, (chunk, question) in enumerate(zip(chunks, questions, strict=True), start=1):
        right, wrong = chunk.count("Right:</strong>"), chunk.count("Wrong:</strong>")
        if number <= 2:
            assert right >= 1 and wrong == 0, (question.id, chunk[:600])
        else:
            assert wrong >= 1, (question.id, chunk[:600])
        parts = {"ordering": len(getattr(question, "sequence", ())), "matching": len(getattr(question, "key", {}))}
        if question.type in parts:
            assert right + wrong == parts[question.type], "every position or pair is marked"


def test_a_failed_first_attempt_shows_no_key_by_default(learner_client, quiz):
    attempt = quiz.take(learner_client, "alpha", correct=0)
    page = result_page(learner_client, attempt)
    assert "mark-missed" not in page and "Right answer" not in page and "the right one here" not in page
    assert "The right answers are shown once you have used your last attempt." in page


def test_a_failed_first_attempt_on_the_real_pack_contains_no_key_text(app_config, request):
    """The key's words reach the page only where the prompt, explanation or source already hold them."""
    app_config.pop("COURSE_PACK_PATH")
    app = request.getfixturevalue("app")
    quiz = request.getfixturevalue("quiz")
    client = app.test_client(user=request.getfixturevalue("learner"))
    course = app.extensions["lms.catalog"].default
    checked = 0
    for lesson in course.lessons:
        attempt = quiz.take(client, lesson.id, correct=0)
        chunks = review_chunks(result_page(client, attempt))
        for chunk, question in zip(chunks, quiz.answers(attempt).questions, strict=True):
            shown_anyway = f"{question.prompt} {question.explanation} {question.source}"
            for line in describe_key(question):
                if question.type in ("single", "multiple", "matching") and line not in shown_anyway:
                    assert line not in chunk, (question.id, line)
                    checked += 1
    assert checked >= 20


def test_the_key_is_shown_once_the_last_attempt_is_used(learner_client, quiz):
    first = quiz.take(learner_client, "alpha", correct=0)
    quiz.take(learner_client, "alpha", correct=0)  # the mini pack allows 2
    page = result_page(learner_client, first)
    assert "mark-missed" in page or "the right one here" in page
    assert "The right answers are shown" not in page
    for chunk, question in zip(review_chunks(page), quiz.answers(first).questions, strict=True):
        if question.type == "single":
            key = {option.id: option.text for option in question.options}[question.answer_id]
            assert f"Right answer:</strong>\n                    {key}" in chunk


@pytest.mark.parametrize(
    ("app_config", "failed_shows", "passed_shows"),
    [("always", True, True), ("never", False, False), ("after_pass", False, True)],
    indirect=["app_config"],
)
def test_review_show_key_setting(learner_client, quiz, failed_shows, passed_shows):
    failed = quiz.take(learner_client, "alpha", correct=0)
    assert ("mark-missed" in result_page(learner_client, failed)) is failed_shows
    passed = quiz.take(learner_client, "alpha")
    assert passed.passed
    # A passed quiz: the review of the earlier failed attempt follows the setting too.
    assert ("mark-missed" in result_page(learner_client, failed)) is passed_shows


def test_another_learners_result_stays_forbidden(app, learner_client, quiz, make_user):
    attempt = quiz.take(learner_client, "alpha", correct=0)
    other = app.test_client(user=make_user("Eve", "eve@example.org"))
    assert other.get(f"/courses/mini-course/attempts/{attempt.id}/result").status_code == 403


# -- next steps ---------------------------------------------------------------------------------


def test_a_passed_result_offers_the_next_lesson_and_a_failed_one_try_again(learner_client, quiz):
    passed = quiz.take(learner_client, "alpha")
    page = result_page(learner_client, passed)
    assert 'href="/courses/mini-course/lessons/beta"' in page and "Next lesson: Beta" in page and "Try again" in page
    failed = quiz.take(learner_client, "beta", correct=0)
    page = result_page(learner_client, failed)
    assert "Next lesson" not in page and "Try again" in page
    last = quiz.take(learner_client, "beta", correct=0)
    assert "Try again" not in result_page(learner_client, last), "no attempt left"


def continue_card(page: str) -> str:
    start = page.index('class="card continue-card"')
    return page[start : page.index("</section>", start)]


@pytest.mark.parametrize("path", ["/courses/mini-course/", "/courses/mini-course/dashboard"])
def test_the_continue_card_leads_to_the_next_step(learner_client, quiz, path):
    card = continue_card(learner_client.get(path).get_data(as_text=True))
    assert "Start: Alpha basics" in card and 'href="/courses/mini-course/lessons/alpha"' in card
    attempt = quiz.start(learner_client, "alpha")
    card = continue_card(learner_client.get(path).get_data(as_text=True))
    assert "Resume the quiz" in card and f'href="/courses/mini-course/attempts/{attempt.id}"' in card
    learner_client.post(f"/courses/mini-course/attempts/{attempt.id}", data=quiz.answers(attempt).form(correct=0))
    card = continue_card(learner_client.get(path).get_data(as_text=True))
    assert 'href="/courses/mini-course/lessons/alpha"' in card, "alpha is not read yet"
    for lesson_id in ("alpha", "beta"):
        learner_client.post(f"/courses/mini-course/lessons/{lesson_id}/read")
    card = continue_card(learner_client.get(path).get_data(as_text=True))
    assert (
        "try again at the Alpha basics quiz" in card and 'action="/courses/mini-course/quizzes/alpha/attempts"' in card
    )
    quiz.take(learner_client, "alpha")
    card = continue_card(learner_client.get(path).get_data(as_text=True))
    assert "take the Beta" in card and 'action="/courses/mini-course/quizzes/beta/attempts"' in card
    quiz.take(learner_client, "beta")
    assert "You have completed the course" in continue_card(learner_client.get(path).get_data(as_text=True))


def test_out_of_attempts_says_so_and_where_to_get_help(learner_client, quiz):
    for lesson_id in ("alpha", "beta"):
        learner_client.post(f"/courses/mini-course/lessons/{lesson_id}/read")
    quiz.take(learner_client, "beta")
    quiz.take(learner_client, "alpha", correct=0)
    quiz.take(learner_client, "alpha", correct=0)
    card = continue_card(learner_client.get("/courses/mini-course/dashboard").get_data(as_text=True))
    assert "You have used every attempt at the Alpha basics quiz" in card and "instructor" in card


def test_the_dashboard_states_the_bands_and_the_next_step_in_words(learner_client, quiz):
    page = learner_client.get("/courses/mini-course/dashboard").get_data(as_text=True)
    assert "Weight" not in page
    assert "<strong>Ready</strong>: a readiness score of 80 or more, with every quiz passed (60 % or more)." in page
    assert "<strong>Not yet</strong>: a score below 50." in page
    assert "Bring your readiness score to 50 (now 0) to reach Almost." in page
    quiz.take(learner_client, "alpha")
    page = learner_client.get("/courses/mini-course/dashboard").get_data(as_text=True)
    assert "Pass Beta practice with 60 % and bring your readiness score to 80 (now 50) to reach Ready." in page


# -- small things -------------------------------------------------------------------------------


def test_a_jump_from_a_result_offers_the_way_back(learner_client, quiz):
    attempt = quiz.take(learner_client, "alpha", correct=0)
    page = learner_client.get(f"/courses/mini-course/lessons/alpha?result={attempt.id}").get_data(as_text=True)
    assert f'<a href="/courses/mini-course/attempts/{attempt.id}/result">' in page and "Back to your result" in page
    assert "Back to your result" not in learner_client.get("/courses/mini-course/lessons/alpha").get_data(as_text=True)
    assert "Back to your result" not in learner_client.get("/courses/mini-course/lessons/alpha?result=x").get_data(
        as_text=True
    )


def test_times_are_marked_up_for_the_local_time_script(learner_client, quiz):
    attempt = quiz.take(learner_client, "alpha", correct=0)
    page = result_page(learner_client, attempt)
    stamp = attempt.submitted_at.isoformat()
    assert re.search(
        rf'<time datetime="{re.escape(stamp)}" data-local-time>\d+ \w+ \d{{4}}, \d\d:\d\d UTC</time>', page
    )
    assert '<script src="/static/js/local-time.js" defer></script>' in page
    assert "<script>" not in page


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/courses/mini-course/", "Course"),
        ("/courses/mini-course/dashboard", "My progress"),
        ("/account/", "Account"),
        ("/account/password", "Account"),
    ],
)
def test_the_navigation_marks_the_current_page(learner_client, path, current):
    page = learner_client.get(path).get_data(as_text=True)
    nav = page[page.index('<nav aria-label="Main">') : page.index("</nav>")]
    marked = re.findall(r'aria-current="(?:page|true)">([^<]+)</a>', nav)
    assert marked == [current]


def start_with(client, quiz, question_type: str):
    """Start an alpha attempt whose draw holds a question of this type; return it and that question's number."""
    for _ in range(30):  # the mini bank has 6 questions and an attempt draws 5
        attempt = quiz.start(client, "alpha")
        types = [question.type for question in quiz.answers(attempt).questions]
        if question_type in types:
            return attempt, types.index(question_type) + 1
        db.session.delete(attempt)
        db.session.commit()
    raise AssertionError(f"no draw held a {question_type} question")


def test_a_position_clash_flash_says_so(learner_client, quiz):
    attempt, number = start_with(learner_client, quiz, "ordering")
    data = quiz.answers(attempt).form()
    for key in data:
        if key.startswith(f"q{number}-"):
            data[key] = "1"
    page = learner_client.post(f"/courses/mini-course/attempts/{attempt.id}", data=data).get_data(as_text=True)
    flash = page[page.index('class="flashes"') : page.index("</div>", page.index('class="flashes"'))]
    assert f"Question {number}: Two items have the same position." in flash
    assert "still need an answer" not in flash


def test_the_unanswered_flash_names_the_questions(learner_client, quiz):
    attempt = quiz.start(learner_client, "alpha")
    data = {k: v for k, v in quiz.answers(attempt).form().items() if not re.match(r"q[13](-|$)", k)}
    page = learner_client.post(f"/courses/mini-course/attempts/{attempt.id}", data=data).get_data(as_text=True)
    assert "Some questions still need an answer (questions 1 and 3). Nothing was saved yet." in page


def test_choose_all_that_apply_is_said_once(learner_client, quiz, course):
    attempt, number = start_with(learner_client, quiz, "multiple")
    assert "Choose all that apply." in quiz.answers(attempt).questions[number - 1].prompt
    page = learner_client.get(f"/courses/mini-course/attempts/{attempt.id}").get_data(as_text=True)
    fieldset = page.split(f'id="question-{number}"')[1].split("</fieldset>")[0]
    assert fieldset.lower().count("all that apply") == 1


def test_long_lessons_get_a_table_of_contents(app_config, request):
    app_config.pop("COURSE_PACK_PATH")
    app = request.getfixturevalue("app")
    client = app.test_client(user=request.getfixturevalue("learner"))
    lesson = app.extensions["lms.catalog"].default.lessons[0]
    page = client.get(f"/courses/{app.extensions['lms.catalog'].default.id}/lessons/{lesson.id}").get_data(as_text=True)
    toc = page[page.index('<nav class="toc"') : page.index("</nav>", page.index('<nav class="toc"'))]
    assert [f"#{section.anchor}" for section in lesson.sections] == re.findall(r'href="(#[^"]+)"', toc)
    assert len(lesson.sections) >= 3
    for section in lesson.sections:
        assert f'id="{section.anchor}"' in page


def test_short_lessons_have_none(learner_client):
    assert 'class="toc"' not in learner_client.get("/courses/mini-course/lessons/alpha").get_data(as_text=True)
