"""The real course pack: what a content author could break, checked on every run."""

import re
from collections import Counter
from pathlib import Path

import pytest

from lms.domain.loading import load_course_pack
from lms.domain.markup import normalize_text
from lms.domain.questions.matching import MatchingQuestion
from lms.domain.questions.multiple import MultipleResponseQuestion
from lms.domain.questions.ordering import OrderingQuestion
from lms.domain.questions.single import SingleChoiceQuestion
from lms.domain.questions.true_false import TrueFalseQuestion

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT.parent / "shared" / "seed" / "medical-office-manager-guide.txt"
COURSE = load_course_pack(ROOT)
LESSON_IDS = ["duties", "hipaa", "education", "steps", "networking"]


def lesson_text(lesson_id: str) -> str:
    return " ".join(block.text for block in COURSE.lesson(lesson_id).blocks)


def test_five_lessons_in_order():
    assert list(COURSE.lesson_ids) == LESSON_IDS


def test_quiz_settings():
    assert COURSE.quiz.questions_per_attempt >= 8
    assert 0 < COURSE.quiz.pass_mark <= 100


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_lesson_shape(lesson_id):
    lesson = COURSE.lesson(lesson_id)
    assert 3 <= len(lesson.objectives) <= 5
    assert lesson.minutes >= 3
    assert re.search(r"<h2 id=\"(key-terms|summary)", lesson.html), "a key terms or summary section"


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_bank_size_and_variety(lesson_id):
    questions = COURSE.lesson(lesson_id).questions
    assert len(questions) >= max(12, COURSE.quiz.questions_per_attempt)
    assert len({q.type for q in questions}) >= 3


@pytest.mark.parametrize("question", [q for lesson in COURSE.lessons for q in lesson.questions], ids=lambda q: q.id)
def test_question_is_grounded_and_its_key_is_valid(question):
    lesson = COURSE.lesson(question.lesson_id)
    assert question.id.startswith(f"{lesson.id}-")
    assert normalize_text(question.source) in lesson_text(lesson.id)
    assert f'id="{question.source_anchor}"' in lesson.html
    assert len(question.explanation) >= 20
    if isinstance(question, SingleChoiceQuestion):
        assert question.answer_id in {o.id for o in question.options} and len(question.options) >= 3
    elif isinstance(question, MultipleResponseQuestion):
        assert question.answer_ids < {o.id for o in question.options}
    elif isinstance(question, TrueFalseQuestion):
        assert isinstance(question.answer, bool)
    elif isinstance(question, OrderingQuestion):
        assert len(question.sequence) >= 3
    elif isinstance(question, MatchingQuestion):
        assert set(question.key) == {t.id for t in question.terms}
        assert set(question.key.values()) <= {m.id for m in question.matches}
    texts = [o.text.lower() for o in question.options_to_shuffle()]
    assert not any("all of the above" in t or "none of the above" in t for t in texts)
    if re.search(r"\bwhich\b[^?]*\bnot\b", question.prompt, re.IGNORECASE):
        assert "NOT" in question.prompt, "a negative question says NOT in capitals"


def test_question_ids_unique_across_the_pack():
    ids = Counter(q.id for lesson in COURSE.lessons for q in lesson.questions)
    assert [i for i, n in ids.items() if n > 1] == []


def test_steps_bank_orders_the_six_steps():
    orderings = [q for q in COURSE.lesson("steps").questions if isinstance(q, OrderingQuestion)]
    six = [q for q in orderings if len(q.sequence) == 6]
    assert six, "the steps bank puts the six steps in order"
    first, last = six[0].sequence[0].text.lower(), six[0].sequence[-1].text.lower()
    assert "education" in first and "regulation" in last


def test_a_matching_question_in_education_or_networking():
    assert any(
        isinstance(q, MatchingQuestion) for lid in ("education", "networking") for q in COURSE.lesson(lid).questions
    )


@pytest.mark.parametrize(
    ("lesson_id", "needle"),
    [
        ("hipaa", "https://www.hhs.gov/"),
        ("education", "https://www.aacc.nche.edu/"),
        ("education", "https://www.pahcom.com/"),
        ("steps", "https://www.pahcom.com/"),
    ],
)
def test_resource_links_where_they_belong(lesson_id, needle):
    assert f'href="{needle}"' in COURSE.lesson(lesson_id).html


@pytest.mark.parametrize(
    ("lesson_id", "name"),
    [("networking", "AAPC"), ("steps", "American Management Association"), ("networking", "LinkedIn")],
)
def test_resources_named(lesson_id, name):
    assert name in lesson_text(lesson_id)


def test_hipaa_lesson_adds_only_what_the_brief_allows():
    text = lesson_text("hipaa")
    for fact in ("1996", "Protected health information", "minimum necessary", "Notice of Privacy Practices",
                 "Security Rule", "Breach Notification Rule", "60 days", "500", "Office for Civil Rights",
                 "business associate agreement"):  # fmt: skip
        assert fact.lower() in text.lower(), fact
    years = set(re.findall(r"\b(1[89]\d\d|20\d\d)\b", text))
    assert years == {"1996"}, "no dates other than 1996"
    assert "$" not in text, "no penalty amounts"


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))


@pytest.mark.skipif(not GUIDE.exists(), reason="the source guide is not beside the project")
@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_lessons_are_in_our_own_words(lesson_id):
    run = 12
    guide = words(GUIDE.read_text())
    guide_runs = {tuple(guide[i : i + run]) for i in range(len(guide) - run + 1)}
    lesson = words(lesson_text(lesson_id))
    copied = [
        " ".join(lesson[i : i + run]) for i in range(len(lesson) - run + 1) if tuple(lesson[i : i + run]) in guide_runs
    ]
    assert copied == [], f"runs of {run} words copied from the guide"
