"""Stored summaries never go stale: after a pack edit, refresh-summaries makes stored equal live."""

import random
import shutil
from datetime import UTC, datetime

import pytest

from lms import create_app
from lms.domain.simulation import pick_special_questions, simulate_cohort
from lms.extensions import db
from lms.models import Enrollment
from lms.services.demo import write_cohort
from lms.services.progress import course_progress, summary_key

from .helpers import MINI_PACK


@pytest.fixture
def pack(tmp_path):
    root = tmp_path / "pack"
    shutil.copytree(MINI_PACK, root)
    return root


@pytest.fixture
def app_config(pack):
    return {"COURSE_PACK_PATH": str(pack)}


def stored_and_live(app) -> list[tuple]:
    course = app.extensions["lms.catalog"].default
    pairs = []
    for enrollment in db.session.execute(db.select(Enrollment).order_by(Enrollment.id)).scalars():
        live = course_progress(enrollment, course)
        stored = (enrollment.readiness_score, enrollment.readiness_band, enrollment.lessons_completed)
        pairs.append((stored, (live.readiness.score, live.readiness.band, live.completed)))
    return pairs


def test_after_a_pack_edit_refresh_makes_stored_equal_live(app, pack):
    course = app.extensions["lms.catalog"].default
    rng = random.Random(11)
    hard, broken = pick_special_questions(course, rng)
    write_cohort(course, simulate_cohort(course, 60, rng, datetime.now(UTC), broken, hard))
    db.session.commit()
    assert all(stored == pytest.approx(live) for stored, live in stored_and_live(app))

    # The instructor reweights the sections and switches to the average of attempts.
    settings = pack / "content" / "course.yaml"
    settings.write_text(
        settings.read_text().replace("grading: highest", "grading: average\n  weights: {alpha: 3, beta: 1}")
    )
    new_app = create_app(dict(app.config))  # the same pack path: a new app loads the edited pack
    with new_app.app_context():
        new_course = new_app.extensions["lms.catalog"].default
        assert summary_key(new_course) != summary_key(course)
        stale = [stored != pytest.approx(live) for stored, live in stored_and_live(new_app)]
        assert any(stale), "the edit changed some learners' readiness"
        result = new_app.test_cli_runner().invoke(args=["lms", "refresh-summaries", "--batch-size", "25"])
        assert result.exit_code == 0, result.output
        assert "mini-course: 60 stale summaries refreshed." in result.output
        db.session.expire_all()
        assert all(stored == pytest.approx(live) for stored, live in stored_and_live(new_app))
        keys = set(db.session.execute(db.select(Enrollment.summary_key)).scalars())
        assert keys == {summary_key(new_course)}
        again = new_app.test_cli_runner().invoke(args=["lms", "refresh-summaries"])
        assert "mini-course: 0 stale summaries refreshed." in again.output
        db.session.remove()
        db.engine.dispose()


def test_a_lesson_added_to_the_pack_reopens_completion(app, pack, learner_client, quiz):
    for lesson_id in ("alpha", "beta"):
        learner_client.post(f"/courses/mini-course/lessons/{lesson_id}/read")
        quiz.take(learner_client, lesson_id)
    db.session.expire_all()
    enrollment = db.session.execute(db.select(Enrollment)).scalar_one()
    assert enrollment.completed_at is not None and enrollment.lessons_completed == 2

    shutil.copy(pack / "content" / "alpha.md", pack / "content" / "gamma.md")
    gamma = (pack / "content" / "gamma.md").read_text().replace("id: alpha", "id: gamma")
    (pack / "content" / "gamma.md").write_text(gamma)
    bank = (pack / "quizzes" / "alpha.yaml").read_text().replace("lesson: alpha", "lesson: gamma")
    (pack / "quizzes" / "gamma.yaml").write_text(bank.replace("id: alpha-", "id: gamma-"))
    settings = pack / "content" / "course.yaml"
    settings.write_text(settings.read_text().replace("lessons: [alpha, beta]", "lessons: [alpha, beta, gamma]"))
    new_app = create_app(dict(app.config))
    with new_app.app_context():
        assert new_app.test_cli_runner().invoke(args=["lms", "refresh-summaries"]).exit_code == 0
        db.session.expire_all()
        enrollment = db.session.execute(db.select(Enrollment)).scalar_one()
        assert enrollment.completed_at is None and enrollment.lessons_completed == 2
        db.session.remove()
        db.engine.dispose()
