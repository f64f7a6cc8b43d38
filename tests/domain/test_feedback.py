"""Feedback: objectives an attempt missed, when the key may show, answers marked part by part,
the next step, what the next band needs, and the course's review setting."""

import shutil
from pathlib import Path

import pytest

from lms.domain.course import ShowKey
from lms.domain.feedback import may_show_key, objective_feedback
from lms.domain.grading import PresentedQuestion, QuestionResult
from lms.domain.loading import CoursePackError, load_course_pack
from lms.domain.next_step import LessonState, StepKind, band_goal, next_step
from lms.domain.readiness import SectionAttempts, readiness_for
from lms.domain.review import Mark, Verdict, mark_answer

MINI_PACK = Path(__file__).resolve().parents[1] / "data" / "mini_pack"
COURSE = load_course_pack(MINI_PACK)
ALPHA = COURSE.lesson("alpha")
REMOVED = "(removed)"


def result(question_id: str, credit: float) -> QuestionResult:
    return QuestionResult(question_id, credit, credit == 1)


# -- objectives ---------------------------------------------------------------------------------


def test_objective_feedback_names_measured_and_missed_objectives_with_their_passages():
    results = [
        result("alpha-green", 1),
        result("alpha-primaries", 0.5),
        result("alpha-match", 0),
        result("alpha-days", 1),
    ]
    colours, days = objective_feedback(ALPHA, results)
    assert (colours.objective.id, colours.measured, colours.missed) == ("colours", 3, 2)
    assert colours.was_missed and not days.was_missed
    primaries, match = COURSE.question("alpha-primaries"), COURSE.question("alpha-match")
    assert [p.anchor for p in colours.passages] == ["p1", "p2"] == [primaries.source_anchor, match.source_anchor]
    assert {p.section for p in colours.passages} == {"Colours"}
    assert (days.measured, days.missed, days.passages) == (1, 0, ())


def test_objective_feedback_leaves_out_objectives_not_measured_and_removed_questions():
    (colours,) = objective_feedback(ALPHA, [result("alpha-red", 0), result("alpha-since-removed", 0)])
    assert colours.objective.id == "colours" and colours.measured == colours.missed == 1
    assert objective_feedback(ALPHA, []) == ()


def test_anchors_follow_the_lesson_and_appear_once():
    results = [result("alpha-match", 0), result("alpha-green-false", 0), result("alpha-red", 0)]
    (colours,) = objective_feedback(ALPHA, results)
    assert [passage.anchor for passage in colours.passages] == ["p1", "p2"]


# -- when the key shows -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("show_key", "passed", "left", "shown"),
    [
        (ShowKey.ALWAYS, False, 2, True),
        (ShowKey.NEVER, True, 0, False),
        (ShowKey.AFTER_PASS, False, 0, False),
        (ShowKey.AFTER_PASS, True, 2, True),
        (ShowKey.AFTER_LAST_ATTEMPT, False, 1, False),
        (ShowKey.AFTER_LAST_ATTEMPT, True, 1, False),
        (ShowKey.AFTER_LAST_ATTEMPT, False, 0, True),
        (ShowKey.AFTER_LAST_ATTEMPT, True, None, False),  # no limit: there is no last attempt
    ],
)
def test_may_show_key(show_key, passed, left, shown):
    assert may_show_key(show_key, passed, left) is shown


# -- marks --------------------------------------------------------------------------------------


def ids(question, *texts):
    by_text = {
        option.text: option.id
        for part in ("options", "sequence", "terms", "matches")
        for option in getattr(question, part, ())
    }
    return [by_text[text] for text in texts]


def test_single_marks_the_chosen_option_and_adds_the_key_only_when_shown():
    question = COURSE.question("alpha-green")
    (purple,) = ids(question, "Purple")
    assert mark_answer(question, purple, None, False, REMOVED) == [Mark("Purple", Verdict.WRONG)]
    assert mark_answer(question, purple, None, True, REMOVED) == [
        Mark("Purple", Verdict.WRONG),
        Mark("Green", Verdict.MISSED),
    ]
    (green,) = ids(question, "Green")
    assert mark_answer(question, green, None, True, REMOVED) == [Mark("Green", Verdict.RIGHT)]
    assert mark_answer(question, None, None, False, REMOVED) == []
    assert mark_answer(question, "gone", None, False, REMOVED) == [Mark(REMOVED, Verdict.WRONG)]


def test_multiple_marks_every_chosen_option_in_the_shown_order_and_missed_ones_with_the_key():
    question = COURSE.question("alpha-primaries")
    order = tuple(ids(question, "Green", "Blue", "Red", "Yellow"))
    shown = PresentedQuestion(question.id, order)
    chosen = frozenset(ids(question, "Red", "Green"))
    assert mark_answer(question, chosen, shown, False, REMOVED) == [
        Mark("Green", Verdict.WRONG),
        Mark("Red", Verdict.RIGHT),
    ]
    assert mark_answer(question, chosen, shown, True, REMOVED) == [
        Mark("Green", Verdict.WRONG),
        Mark("Blue", Verdict.MISSED),
        Mark("Red", Verdict.RIGHT),
        Mark("Yellow", Verdict.MISSED),
    ]


def test_true_false_marks_the_answer():
    question = COURSE.question("alpha-green-false")
    assert mark_answer(question, True, None, False, REMOVED) == [Mark("True", Verdict.WRONG)]
    assert mark_answer(question, True, None, True, REMOVED) == [
        Mark("True", Verdict.WRONG),
        Mark("False", Verdict.MISSED),
    ]
    assert mark_answer(question, False, None, True, REMOVED) == [Mark("False", Verdict.RIGHT)]


def test_ordering_marks_each_position_and_names_the_right_item_only_when_shown():
    question = COURSE.question("alpha-days")
    response = tuple(ids(question, "Monday", "Wednesday", "Tuesday"))
    assert mark_answer(question, response, None, False, REMOVED) == [
        Mark("1. Monday", Verdict.RIGHT),
        Mark("2. Wednesday", Verdict.WRONG),
        Mark("3. Tuesday", Verdict.WRONG),
    ]
    assert mark_answer(question, response, None, True, REMOVED)[1:] == [
        Mark("2. Wednesday", Verdict.WRONG, "Tuesday"),
        Mark("3. Tuesday", Verdict.WRONG, "Wednesday"),
    ]


def test_matching_marks_each_pair_in_the_shown_term_order():
    question = COURSE.question("alpha-match")
    blue_yellow, red_blue = ids(question, "Blue and yellow", "Red and blue")
    green, brown = ids(question, "Green", "Brown")
    shown = PresentedQuestion(question.id, (), (red_blue, blue_yellow))
    response = {blue_yellow: green, red_blue: brown}
    assert mark_answer(question, response, shown, False, REMOVED) == [
        Mark("Red and blue → Brown", Verdict.WRONG),
        Mark("Blue and yellow → Green", Verdict.RIGHT),
    ]
    assert mark_answer(question, response, shown, True, REMOVED)[0] == Mark(
        "Red and blue → Brown", Verdict.WRONG, "Purple"
    )


# -- the next step ------------------------------------------------------------------------------


def state(lesson_id, read=False, passed=False, attempts=0, open_attempt_id=None):
    return LessonState(lesson_id, read, passed, attempts, open_attempt_id)


@pytest.mark.parametrize(
    ("lessons", "expected"),
    [
        ([state("a"), state("b")], (StepKind.READ, "a", None)),
        ([state("a", read=True), state("b", open_attempt_id=7)], (StepKind.RESUME, "b", 7)),
        ([state("a", read=True, passed=True), state("b")], (StepKind.READ, "b", None)),
        ([state("a", read=True), state("b", read=True)], (StepKind.TAKE, "a", None)),
        ([state("a", read=True, attempts=1), state("b", read=True)], (StepKind.RETAKE, "a", None)),
        ([state("a", read=True, attempts=3), state("b", read=True, attempts=1)], (StepKind.RETAKE, "b", None)),
        (
            [state("a", read=True, attempts=3), state("b", read=True, passed=True)],
            (StepKind.OUT_OF_ATTEMPTS, "a", None),
        ),
        ([state("a", passed=True, attempts=1)], (StepKind.READ, "a", None)),
        ([state("a", read=True, passed=True, attempts=1)], (StepKind.DONE, None, None)),
    ],
)
def test_next_step(lessons, expected):
    step = next_step(lessons, max_attempts=3)
    assert (step.kind, step.lesson_id, step.attempt_id) == expected


def test_with_no_attempt_limit_a_quiz_can_always_be_retaken():
    assert next_step([state("a", read=True, attempts=50)], max_attempts=0).kind is StepKind.RETAKE


def readiness(**scores):
    sections = {
        lesson_id: SectionAttempts.from_scores([score], COURSE.quiz.pass_mark) for lesson_id, score in scores.items()
    }
    return readiness_for(COURSE.readiness, COURSE.lesson_ids, sections)


def test_band_goal_names_the_quizzes_to_pass_and_the_score_to_reach():
    goal = band_goal(COURSE.readiness, readiness(alpha=100))  # 50: Almost
    assert goal.band.name == "Ready" and goal.to_pass == ("beta",) and goal.score_needed == 80
    goal = band_goal(COURSE.readiness, readiness(alpha=100, beta=59))  # 79.5, beta not passed
    assert goal.to_pass == ("beta",) and goal.score_needed == 80
    goal = band_goal(COURSE.readiness, readiness(alpha=40))  # 20: Not yet; Almost needs no pass
    assert goal.band.name == "Almost" and goal.to_pass == () and goal.score_needed == 50
    assert band_goal(COURSE.readiness, readiness(alpha=100, beta=90)) is None


# -- the review setting -------------------------------------------------------------------------


@pytest.fixture
def pack(tmp_path) -> Path:
    root = tmp_path / "pack"
    shutil.copytree(MINI_PACK, root)
    return root


def test_review_defaults_to_after_last_attempt():
    assert COURSE.review.show_key is ShowKey.AFTER_LAST_ATTEMPT


@pytest.mark.parametrize("value", [choice.value for choice in ShowKey])
def test_review_show_key_is_read(pack, value):
    with (pack / "content/course.yaml").open("a") as file:
        file.write(f"review:\n  show_key: {value}\n")
    assert load_course_pack(pack).review.show_key is ShowKey(value)


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("review:\n  show_key: after_each_try\n", "content/course.yaml: review.show_key: must be one of after_pass"),
        ("review:\n  show_key: 3\n", "content/course.yaml: review.show_key:"),
        ("review:\n  show_answers: always\n", "content/course.yaml: review.show_answers:"),
        ("review: always\n", "content/course.yaml: review"),
    ],
)
def test_a_bad_review_setting_names_file_and_field(pack, block, message):
    with (pack / "content/course.yaml").open("a") as file:
        file.write(block)
    with pytest.raises(CoursePackError) as error:
        load_course_pack(pack)
    assert message in str(error.value)


def test_headings_make_the_table_of_contents():
    assert [(block.anchor, block.text) for block in ALPHA.sections] == [("colours", "Colours"), ("days", "Days")]
