"""Simulate learners taking a course (a demo cohort): demo data and benchmark load.

The model is simple on purpose, so that 50,000 learners generate in seconds:

- Ability: each learner has theta ~ Normal(0, 1).
- Engagement: 10% enrol and never start; 35% reach every lesson; the rest stop after 1 to n-1
  lessons (uniformly). Lessons are taken in course order. A learner who stops early opens the
  next lesson without taking its quiz 40% of the time (and reads it in 30% of those).
- A reached lesson is viewed, read 85% of the time (skipping the reading costs 0.25 ability on
  its quiz), then quizzed: attempt 1; after a fail, a retake with probability 0.7 while attempts
  remain (``max_attempts``, or 4 when the course sets no limit), each retake adding 0.3 ability;
  after a pass, 5% retake once to improve their score, then stop.
- Questions: difficulty b comes from a hash of the question id (Normal-ish around -0.8, clamped
  to [-1.5, 1]); hard questions get b around +2. P(fully correct) = logistic(1.7 (theta - b));
  broken questions use logistic(0.3 - 1.2 theta), so stronger learners get them wrong more often.
- Wrong answers look like real ones: each question type makes its own (``simulated_wrong``),
  picking distractors with a popular one more often than the others. Single: a distractor.
  Multiple: some of the right options, or right ones plus a distractor. True/false: the other
  value. Ordering: one or two adjacent swaps, or a shuffle. Matching: two matches swapped, one
  distractor match, or a scramble. The stronger the learner, the more often a wrong answer is a
  near miss (partial credit). 3% of wrong answers are left blank (None).
- Times (aware UTC, whole seconds before ``now``): enrolment is uniform over the 120 days before
  ``now``; the first view follows within days, reading takes about the lesson's minutes, attempts
  last 2 to 15 minutes, retakes come minutes to days later and the next lesson hours to weeks
  later. Nothing happens after ``now``: a learner whose next step would fall later is simply
  still mid-course (so recent enrolments are still in progress).
- Attempts are drawn with ``grading.draw_questions`` and graded with ``grading.grade_attempt``,
  exactly as the app does, so the data is consistent with what the app would have stored.

The same ``random.Random`` state always gives the same cohort.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from statistics import NormalDist

from .course import Course, Lesson
from .grading import AttemptResult, PresentedQuestion, draw_questions, grade_attempt
from .questions import Question, Response

FIRST_NAMES = (
    "Aisha", "Alex", "Amara", "Ana", "Ben", "Carlos", "Chloe", "Daniel", "Diana", "Elena",
    "Emma", "Farah", "Grace", "Hannah", "Ian", "Jamal", "Jasmine", "Jorge", "Kate", "Kenji",
    "Laura", "Liam", "Lucia", "Maria", "Maya", "Mei", "Michael", "Nadia", "Noah", "Olivia",
    "Omar", "Priya", "Rachel", "Rosa", "Sam", "Sarah", "Sofia", "Tariq", "Tom", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Adams", "Ahmed", "Baker", "Brooks", "Chen", "Clark", "Cruz", "Davis", "Diaz", "Evans",
    "Garcia", "Gomez", "Green", "Hall", "Hughes", "Johnson", "Khan", "Kim", "Lee", "Lopez",
    "Martin", "Miller", "Moore", "Nguyen", "Okafor", "Patel", "Perez", "Reed", "Rivera", "Roberts",
    "Sanchez", "Scott", "Singh", "Smith", "Taylor", "Thompson", "Turner", "Walker", "Wong", "Young",
)  # fmt: skip
EMAIL_DOMAIN = "demo.example"

NEVER_STARTED = 0.10
FINISHES_ALL = 0.35
PEEKS_NEXT = 0.40
READS_PEEKED = 0.30
READS_LESSON = 0.85
UNREAD_PENALTY = 0.25
RETAKES_AFTER_FAIL = 0.70
RETAKE_BOOST = 0.30
IMPROVES_AFTER_PASS = 0.05
UNLIMITED_ATTEMPTS_CAP = 4
BLANK_WHEN_WRONG = 0.03
ENROLMENT_DAYS = 120

_MINUTE = 60
_HOUR = 3600
_DAY = 86400
_NORMAL = NormalDist()


@dataclass(frozen=True, slots=True)
class SimulatedAttempt:
    """One submitted quiz attempt: what was shown, what the learner answered, how it graded."""

    number: int
    started_at: datetime
    submitted_at: datetime
    presented: tuple[PresentedQuestion, ...]
    responses: dict[str, Response] = field(hash=False)
    result: AttemptResult


@dataclass(frozen=True, slots=True)
class SimulatedLesson:
    """One learner's record for one lesson; untouched lessons have no times and no attempts."""

    lesson_id: str
    first_viewed_at: datetime | None
    read_at: datetime | None
    attempts: tuple[SimulatedAttempt, ...]


@dataclass(frozen=True, slots=True)
class SimulatedLearner:
    """One learner: who they are, when they enrolled, and a record per lesson in course order."""

    index: int
    name: str
    email: str
    enrolled_at: datetime
    lessons: tuple[SimulatedLesson, ...]


class _Item:
    """Per-question data precomputed once per cohort: difficulty and the popular-distractor weights."""

    __slots__ = ("broken", "cum_weights", "difficulty", "distractors", "question")

    def __init__(self, question: Question, hard: bool, broken: bool):
        self.question = question
        self.broken = broken
        z = _hash_normal(question.id, "difficulty")
        self.difficulty = 2.0 + 0.3 * z if hard else min(1.0, max(-1.5, -0.8 + 0.6 * z))
        # A popular wrong option: distractors in a hash order, each about half as likely as the one before.
        self.distractors = sorted(question.distractor_ids(), key=lambda option: _hash_unit(question.id, option))
        total = 0.0
        cumulative = []
        for rank in range(len(self.distractors)):
            total += 0.5**rank
            cumulative.append(total)
        self.cum_weights = cumulative

    def respond(self, theta: float, rng: random.Random) -> Response:
        """Return this learner's answer: fully right with the model's probability, else a realistic wrong one."""
        if self.broken:
            p_right = 1.0 / (1.0 + math.exp(1.2 * theta - 0.3))
        else:
            p_right = 1.0 / (1.0 + math.exp(-1.7 * (theta - self.difficulty)))
        if rng.random() < p_right:
            return self.question.key_response()
        if rng.random() < BLANK_WHEN_WRONG:
            return None
        near_miss = rng.random() < 1.0 / (1.0 + math.exp(-theta))
        return self.question.simulated_wrong(near_miss, rng, self._distractor)

    def _distractor(self, rng: random.Random) -> str | None:
        if not self.distractors:
            return None
        return rng.choices(self.distractors, cum_weights=self.cum_weights)[0]


def _hash_unit(*parts: str) -> float:
    """Return a number in (0, 1) fixed by the parts (stable across runs, unlike hash())."""
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest()
    return (int.from_bytes(digest, "big") + 0.5) / 2**64


def _hash_normal(*parts: str) -> float:
    return _NORMAL.inv_cdf(_hash_unit(*parts))


def pick_special_questions(course: Course, rng: random.Random) -> tuple[frozenset[str], frozenset[str]]:
    """Return (hard, broken) question ids: one or two hard and one broken question per lesson.

    A broken question is preferably a single-choice one (a mis-keyed item is the classic case).
    Lessons with fewer than three questions get none, so that every quiz keeps normal questions.
    """
    hard: set[str] = set()
    broken: set[str] = set()
    for lesson in course.lessons:
        ids = [question.id for question in lesson.questions]
        if len(ids) < 3:
            continue
        singles = [question.id for question in lesson.questions if question.type == "single"]
        chosen_broken = rng.choice(singles or ids)
        broken.add(chosen_broken)
        others = [question_id for question_id in ids if question_id != chosen_broken]
        hard.update(rng.sample(others, min(len(others) - 1, rng.randint(1, 2))))
    return frozenset(hard), frozenset(broken)


def simulate_cohort(
    course: Course,
    learners: int,
    rng: random.Random,
    now: datetime,
    broken_questions: frozenset[str] | None = None,
    hard_questions: frozenset[str] | None = None,
) -> Iterator[SimulatedLearner]:
    """Yield learners 1..learners taking the course (model in the module docstring).

    None for broken or hard questions means none. Raises ValueError for a negative count, a naive
    ``now``, or special question ids the course does not have.
    """
    if learners < 0:
        raise ValueError(f"learners must be 0 or more, got {learners}")
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    broken = broken_questions or frozenset()
    hard = hard_questions or frozenset()
    unknown = sorted(question_id for question_id in broken | hard if course.question(question_id) is None)
    if unknown:
        raise ValueError(f"not questions of this course: {', '.join(unknown)}")
    plan = _CoursePlan(course, hard, broken)
    return _generate(plan, learners, rng, now.astimezone(UTC))


class _CoursePlan:
    """What every learner of one cohort shares: lessons, question data and quiz rules."""

    def __init__(self, course: Course, hard: frozenset[str], broken: frozenset[str]):
        self.lessons: tuple[Lesson, ...] = course.lessons
        self.items: dict[str, _Item] = {
            question.id: _Item(question, question.id in hard, question.id in broken)
            for lesson in course.lessons
            for question in lesson.questions
        }
        self.per_attempt = course.quiz.questions_per_attempt
        self.pass_mark = course.quiz.pass_mark
        self.max_attempts = course.quiz.max_attempts or UNLIMITED_ATTEMPTS_CAP


def _generate(plan: _CoursePlan, learners: int, rng: random.Random, now: datetime) -> Iterator[SimulatedLearner]:
    lesson_count = len(plan.lessons)
    for index in range(1, learners + 1):
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        theta = rng.gauss(0.0, 1.0)
        # Times are whole seconds relative to now: negative is the past, and nothing happens after 0.
        enrolled = -rng.randrange(ENROLMENT_DAYS * _DAY)
        engagement = rng.random()
        if engagement < NEVER_STARTED:
            reached = 0
        elif engagement < NEVER_STARTED + FINISHES_ALL or lesson_count < 2:
            reached = lesson_count
        else:
            reached = rng.randint(1, lesson_count - 1)
        peeks = 0 < reached < lesson_count and rng.random() < PEEKS_NEXT
        records = []
        clock = enrolled + int(rng.expovariate(1.0 / _DAY))
        for position, lesson in enumerate(plan.lessons):
            if position >= reached + peeks or clock > 0:
                records.append(SimulatedLesson(lesson.id, None, None, ()))
                continue
            record, clock = _lesson(plan, lesson, theta, clock, position == reached, rng, now)
            records.append(record)
            clock += int(_HOUR * rng.lognormvariate(3.0, 1.2))
        yield SimulatedLearner(
            index=index,
            name=f"{first} {last}",
            email=f"{first}.{last}.{index}@{EMAIL_DOMAIN}".lower(),
            enrolled_at=now + timedelta(seconds=enrolled),
            lessons=tuple(records),
        )


def _at(now: datetime, clock: int | None) -> datetime | None:
    return None if clock is None else now + timedelta(seconds=clock)


def _lesson(
    plan: _CoursePlan, lesson: Lesson, theta: float, clock: int, peek: bool, rng: random.Random, now: datetime
) -> tuple[SimulatedLesson, int]:
    """Simulate a lesson first viewed at clock; return it and the time of its last step (> 0 if cut off by now)."""
    viewed = clock
    read = None
    attempts: list[SimulatedAttempt] = []
    if rng.random() < (READS_PEEKED if peek else READS_LESSON):
        clock += int(_MINUTE * max(1, lesson.minutes) * rng.uniform(0.5, 2.0))
        if clock <= 0:
            read = clock
    else:
        theta -= UNREAD_PENALTY
    if not peek and clock <= 0 and lesson.questions:
        attempts, clock = _attempts(plan, lesson, theta, clock + int(_MINUTE * rng.uniform(1, 30)), rng, now)
    return SimulatedLesson(lesson.id, _at(now, viewed), _at(now, read), tuple(attempts)), clock


def _attempts(
    plan: _CoursePlan, lesson: Lesson, theta: float, clock: int, rng: random.Random, now: datetime
) -> tuple[list[SimulatedAttempt], int]:
    """Take a lesson's quiz from clock on; return the attempts and the last submit time (> 0 if cut off by now)."""
    items = plan.items
    attempts: list[SimulatedAttempt] = []
    improving = False
    for number in range(1, plan.max_attempts + 1):
        submitted = clock + int(rng.uniform(2 * _MINUTE, 15 * _MINUTE))
        if submitted > 0:
            return attempts, submitted
        presented = draw_questions(lesson.questions, plan.per_attempt, rng)
        chosen = [items[shown.question_id] for shown in presented]
        responses = {item.question.id: item.respond(theta, rng) for item in chosen}
        result = grade_attempt([item.question for item in chosen], responses, plan.pass_mark)
        attempts.append(SimulatedAttempt(number, _at(now, clock), _at(now, submitted), presented, responses, result))
        clock = submitted
        if improving or number == plan.max_attempts:
            break
        if result.passed:
            if rng.random() >= IMPROVES_AFTER_PASS:
                break
            improving = True
        elif rng.random() >= RETAKES_AFTER_FAIL:
            break
        theta += RETAKE_BOOST
        clock += int(_MINUTE * rng.lognormvariate(4.0, 1.6))
    return attempts, clock
