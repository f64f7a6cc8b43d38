"""Course pack loading: a good pack loads into typed objects; bad packs name file, field and reason."""

import shutil
from pathlib import Path

import pytest

from lms.domain.loading import CoursePackError, load_course_pack
from lms.domain.markup import find_passage, render_markdown
from lms.domain.questions.matching import MatchingQuestion
from lms.domain.questions.ordering import OrderingQuestion
from lms.domain.questions.single import SingleChoiceQuestion

MINI_PACK = Path(__file__).resolve().parents[1] / "data" / "mini_pack"


@pytest.fixture
def pack(tmp_path) -> Path:
    root = tmp_path / "pack"
    shutil.copytree(MINI_PACK, root)
    return root


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text()
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1))


def test_mini_pack_loads_into_typed_objects():
    course = load_course_pack(MINI_PACK)
    assert course.id == "mini-course"
    assert course.lesson_ids == ("alpha", "beta")
    alpha = course.lesson("alpha")
    assert alpha.minutes == 3 and [o.id for o in alpha.objectives] == ["colours", "days"]
    assert alpha.objective("days").text == "Order the days of the week."
    assert course.question("alpha-days").objectives == ("days",)
    assert {q.id for q in alpha.questions_for("colours")} >= {"alpha-green", "alpha-primaries"}
    assert [q.type for q in alpha.questions] == [
        "single",
        "multiple",
        "true_false",
        "ordering",
        "matching",
        "true_false",
    ]
    green = course.question("alpha-green")
    assert isinstance(green, SingleChoiceQuestion)
    assert [o.text for o in green.options] == ["Green", "Purple", "Orange"]
    assert green.answer_id == green.options[0].id
    assert green.source_anchor == "p2"
    days = course.question("alpha-days")
    assert isinstance(days, OrderingQuestion) and [o.text for o in days.sequence] == ["Monday", "Tuesday", "Wednesday"]
    match = course.question("alpha-match")
    assert isinstance(match, MatchingQuestion) and len(match.matches) == 3 and len(match.key) == 2
    assert course.quiz.pass_mark == 60 and course.quiz.max_attempts == 2
    assert [b.name for b in course.readiness.bands] == ["Ready", "Almost", "Not yet"]
    assert course.neighbours("alpha") == (None, course.lesson("beta"))


def test_option_ids_are_opaque_and_stable():
    first = load_course_pack(MINI_PACK).question("alpha-green")
    again = load_course_pack(MINI_PACK).question("alpha-green")
    assert [o.id for o in first.options] == [o.id for o in again.options]
    assert all(o.id not in ("a", "b", "c", "0", "1") and len(o.id) == 10 for o in first.options)


BAD_PACKS = [
    (
        "question names no objective",
        lambda r: edit(r, "quizzes/alpha.yaml", "    objectives: [days]\n", ""),
        "quizzes/alpha.yaml: questions[3].objectives: is required",
    ),
    (
        "question names an unknown objective",
        lambda r: edit(r, "quizzes/alpha.yaml", "objectives: [days]", "objectives: [weeks]"),
        "quizzes/alpha.yaml: questions[3].objectives: 'weeks' not an objective of lesson 'alpha'",
    ),
    (
        "objective id used twice",
        lambda r: edit(r, "content/alpha.md", "id: days", "id: colours"),
        "content/alpha.md: front matter.objectives[1].id: 'colours' is used by another objective",
    ),
    (
        "objectives as plain text (the old format)",
        lambda r: edit(
            r, "content/beta.md", "  - id: facts\n    text: Recall simple facts.", "  - Recall simple facts."
        ),
        "content/beta.md: front matter.objectives[0]: must be a mapping of fields",
    ),
    ("missing course file", lambda r: (r / "content/course.yaml").unlink(), "content/course.yaml: file not found"),
    (
        "yaml syntax",
        lambda r: edit(r, "quizzes/alpha.yaml", "prompt: What do blue", "prompt: [What do blue"),
        "quizzes/alpha.yaml: line",
    ),
    (
        "listed lesson without file",
        lambda r: edit(r, "content/course.yaml", "[alpha, beta]", "[alpha, beta, gamma]"),
        "content/gamma.md: file not found",
    ),
    (
        "front matter id mismatch",
        lambda r: edit(r, "content/beta.md", "id: beta", "id: other"),
        "content/beta.md: front matter.id: is 'other' but the file is named for 'beta'",
    ),
    (
        "missing explanation",
        lambda r: edit(r, "quizzes/alpha.yaml", "    explanation: Blue and yellow mix to green.\n", ""),
        "quizzes/alpha.yaml: questions[0].explanation: is required",
    ),
    (
        "unknown question type",
        lambda r: edit(r, "quizzes/alpha.yaml", "type: single", "type: essay"),
        "quizzes/alpha.yaml: questions[0].type: must be one of single, multiple, true_false, ordering, matching",
    ),
    (
        "answer repeated among distractors",
        lambda r: edit(r, "quizzes/alpha.yaml", "[Purple, Orange]", "[Purple, Green]"),
        "quizzes/alpha.yaml: questions[0].distractors: option 'Green' appears twice",
    ),
    (
        "source not in lesson",
        lambda r: edit(r, "quizzes/alpha.yaml", "source: Mixing blue and yellow gives green.", "source: Blue is warm."),
        "quizzes/alpha.yaml: questions[0].source: not found word for word in content/alpha.md",
    ),
    (
        "duplicate question id",
        lambda r: edit(r, "quizzes/beta.yaml", "id: beta-boil", "id: alpha-green"),
        "quizzes/beta.yaml: questions[0].id: 'alpha-green' is already used",
    ),
    (
        "bank smaller than the draw",
        lambda r: edit(r, "content/course.yaml", "questions_per_attempt: 5", "questions_per_attempt: 6"),
        "quizzes/beta.yaml: questions: has 5 valid questions; an attempt draws 6",
    ),
    (
        "true_false answer not a boolean",
        lambda r: edit(r, "quizzes/alpha.yaml", "answer: true", "answer: 'yes'"),
        "quizzes/alpha.yaml: questions[2].answer: must be true or false, got 'yes'",
    ),
    (
        "misspelt field",
        lambda r: edit(r, "quizzes/beta.yaml", "distractors: [50", "distractor: [50"),
        "quizzes/beta.yaml: questions[0].distractor: is not a known field",
    ),
    (
        "ordering with two items",
        lambda r: edit(r, "quizzes/alpha.yaml", "[Monday, Tuesday, Wednesday]", "[Monday, Tuesday]"),
        "quizzes/alpha.yaml: questions[3].sequence: must have 3 to 8 items, got 2",
    ),
    (
        "bands out of order",
        lambda r: edit(r, "content/course.yaml", "min_score: 50", "min_score: 90"),
        "content/course.yaml: readiness.bands[1].min_score: must be lower than the band above it",
    ),
    (
        "last band above zero",
        lambda r: edit(r, "content/course.yaml", "min_score: 0", "min_score: 10"),
        "content/course.yaml: readiness.bands[2].min_score: the last band must start at 0",
    ),
    (
        "unknown grading method",
        lambda r: edit(r, "content/course.yaml", "grading: highest", "grading: best"),
        "content/course.yaml: readiness.grading: must be one of highest, latest, average, first, got 'best'",
    ),
    (
        "pass mark out of range",
        lambda r: edit(r, "content/course.yaml", "pass_mark: 60", "pass_mark: 160"),
        "content/course.yaml: quiz.pass_mark: must be between 0 and 100, got 160",
    ),
    (
        "quiz file for an unlisted lesson",
        lambda r: shutil.copy(r / "quizzes/beta.yaml", r / "quizzes/extra.yaml"),
        "quizzes/extra.yaml: is not listed in content/course.yaml lessons",
    ),
    (
        "top-level heading in a lesson",
        lambda r: edit(r, "content/beta.md", "## Facts", "# Facts"),
        "content/beta.md: body: use ## or deeper for headings",
    ),
    (
        "lesson without front matter",
        lambda r: (r / "content/beta.md").write_text("## Facts\n\nWater boils.\n"),
        "content/beta.md: front matter: missing",
    ),
    (
        "weight for an unknown lesson",
        lambda r: edit(r, "content/course.yaml", "grading: highest", "grading: highest\n  weights: {gamma: 2}"),
        "content/course.yaml: readiness.weights.gamma: is not a lesson of this course",
    ),
]


@pytest.mark.parametrize(("mutate", "message"), [case[1:] for case in BAD_PACKS], ids=[c[0] for c in BAD_PACKS])
def test_bad_pack_is_rejected_with_file_field_and_reason(pack, mutate, message):
    mutate(pack)
    with pytest.raises(CoursePackError) as raised:
        load_course_pack(pack)
    problems = [str(problem) for problem in raised.value.problems]
    assert any(p.startswith(message) for p in problems), problems


def test_every_problem_is_reported_at_once(pack):
    edit(pack, "quizzes/alpha.yaml", "type: single", "type: essay")
    edit(pack, "content/beta.md", "minutes: 2", "minutes: lots")
    with pytest.raises(CoursePackError) as raised:
        load_course_pack(pack)
    text = str(raised.value)
    assert "course pack has 2 problems" in text
    assert "quizzes/alpha.yaml: questions[0].type" in text
    assert "content/beta.md: front matter.minutes: must be a whole number, got 'lots'" in text


def test_markdown_gets_anchors_and_loses_unsafe_html():
    rendered = render_markdown(
        "## Getting *started*\n\nPlain <script>alert(1)</script> text with [a link](javascript:alert(1)) "
        "and [a safe one](https://example.org).\n\n- first item\n- second **bold** item\n"
    )
    html = rendered.html
    assert '<h2 id="getting-started">' in html
    assert '<p id="p1">' in html and '<li id="p2">' in html and '<li id="p3">' in html
    assert "<script>" not in html and 'href="javascript' not in html
    assert 'href="https://example.org" rel="noopener noreferrer"' in html
    assert find_passage(rendered.blocks, "second bold  item") == "p3"
    assert find_passage(rendered.blocks, "and a safe one.") == "p1"
    assert find_passage(rendered.blocks, "first item second") is None, "a passage may not span blocks"
