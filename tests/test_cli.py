"""The `lms` command group."""

import shutil
import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from werkzeug.security import check_password_hash

from lms.extensions import db
from lms.models import Enrollment, StaffCohort, User
from lms.services.cohorts import CohortDetails, create_cohort

from .conftest import MINI_PACK, PROJECT_ROOT
from .helpers import CATALOG


def test_check_prints_a_summary_of_the_real_pack(runner):
    result = runner.invoke(args=["lms", "check"])
    assert result.exit_code == 0, result.output
    assert "5 lessons" in result.output and "course pack OK" in result.output
    for lesson_id in ("duties", "hipaa", "education", "steps", "networking"):
        assert lesson_id in result.output
    assert "questions per attempt" in result.output


def test_check_a_pack_elsewhere(runner):
    result = runner.invoke(args=["lms", "check", "--pack", str(MINI_PACK)])
    assert "objectives: colours 5, days 1" in result.output
    assert result.exit_code == 0
    assert "Mini Course (mini-course): 2 lessons" in result.output
    assert "alpha          6 questions (1 single, 1 multiple, 2 true_false, 1 ordering, 1 matching)" in result.output


def test_check_lists_every_problem_and_fails(runner, tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    bank = pack / "quizzes" / "beta.yaml"
    bank.write_text(bank.read_text().replace("answer: true", "answer: maybe"))
    result = runner.invoke(args=["lms", "check", "--pack", str(pack)])
    assert result.exit_code == 1
    assert "quizzes/beta.yaml: questions[1].answer: must be true or false, got 'maybe'" in result.output


def test_a_broken_pack_stops_start_up_with_the_problems(tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    (pack / "content" / "beta.md").unlink()
    result = subprocess.run(
        [sys.executable, "-c", "import app"],
        cwd=PROJECT_ROOT,
        env={
            "COURSE_PACK_PATH": str(pack),
            "SECRET_KEY": "x",
            "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "The course pack cannot be loaded." in result.stderr
    assert "content/beta.md: file not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == [], "models changed without a migration: run `flask --app app db migrate`"


def instructors(course_id: str = "medical-office-manager"):
    return (
        db.session.execute(
            db.select(User)
            .join(Enrollment, Enrollment.user_id == User.id)
            .where(Enrollment.course_id == course_id, Enrollment.role == "instructor")
        )
        .scalars()
        .all()
    )


def admins():
    return db.session.execute(db.select(User).where(User.is_admin)).scalars().all()


def test_create_instructor_with_a_generated_password(runner):
    result = runner.invoke(args=["lms", "create-instructor", "Teach@Example.org", "--generate-password"])
    assert result.exit_code == 0, result.output
    password = result.output.split("Password (shown once): ")[1].strip()
    (user,) = instructors()
    assert user.email == "teach@example.org" and check_password_hash(user.password_hash, password)


def test_create_instructor_asks_for_a_password(runner):
    result = runner.invoke(args=["lms", "create-instructor", "t@example.org"], input="a long secret\na long secret\n")
    assert result.exit_code == 0, result.output
    assert check_password_hash(instructors()[0].password_hash, "a long secret")
    short = runner.invoke(args=["lms", "create-instructor", "u@example.org"], input="short\nshort\n")
    assert short.exit_code == 1 and "at least 8 characters" in short.output


def test_reset_password_gives_an_instructor_a_new_one_and_signs_them_out(app, runner):
    runner.invoke(args=["lms", "bootstrap"])
    (user,) = admins()
    version = user.session_version
    result = runner.invoke(args=["lms", "create-instructor", user.email, "--reset-password", "--generate-password"])
    assert result.exit_code == 0, result.output
    password = result.output.split("Password (shown once): ")[1].strip()
    db.session.expire_all()
    (user,) = admins()
    assert check_password_hash(user.password_hash, password) and user.session_version == version + 1
    asked = runner.invoke(
        args=["lms", "create-instructor", user.email, "--reset-password"], input="a long secret\na long secret\n"
    )
    assert asked.exit_code == 0 and "with a new password" in asked.output
    db.session.expire_all()
    assert check_password_hash(admins()[0].password_hash, "a long secret")
    weak = runner.invoke(args=["lms", "create-instructor", user.email, "--reset-password"], input="short\nshort\n")
    assert weak.exit_code == 1 and "at least 8 characters" in weak.output
    db.session.expire_all()
    assert check_password_hash(admins()[0].password_hash, "a long secret"), "a refused password changes nothing"


def test_create_instructor_promotes_an_existing_learner(runner, learner):
    result = runner.invoke(args=["lms", "create-instructor", learner.email])
    assert result.exit_code == 0, result.output
    assert (
        "now an instructor of medical-office-manager (password unchanged; --reset-password sets a new one)"
        in result.output
    )
    assert [u.email for u in instructors()] == [learner.email] and admins() == []


def test_create_instructor_of_another_course_and_an_admin(app_config, request):
    app_config["COURSE_PACK_PATH"] = str(CATALOG)
    runner = request.getfixturevalue("app").test_cli_runner()
    args = ["lms", "create-instructor", "t@example.org", "--course", "second-course", "--admin", "--generate-password"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "an instructor of second-course and an administrator" in result.output
    assert [u.email for u in instructors("second-course")] == ["t@example.org"] and instructors("mini-course") == []
    assert [u.email for u in admins()] == ["t@example.org"]
    unknown = runner.invoke(args=["lms", "create-instructor", "u@example.org", "--course", "nope"])
    assert unknown.exit_code == 1 and "no course 'nope'" in unknown.output


def test_create_an_assistant(runner, learner):
    result = runner.invoke(args=["lms", "create-instructor", learner.email, "--assistant"])
    assert result.exit_code == 0 and "now an assistant of medical-office-manager" in result.output
    role = db.session.execute(db.select(Enrollment.role).where(Enrollment.user_id == learner.id)).scalar_one()
    assert role == "assistant"


def test_bootstrap_creates_one_first_instructor_once(runner):
    first = runner.invoke(args=["lms", "bootstrap"])
    assert "instructor@example.org" in first.output and "password:" in first.output
    assert runner.invoke(args=["lms", "bootstrap"]).output == ""
    assert len(instructors()) == 1 and len(admins()) == 1


def test_demo_fills_a_cohort_and_refuses_to_run_twice(runner):
    result = runner.invoke(args=["lms", "demo", "--learners", "40", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "40 learners" in result.output and "Broken questions" in result.output
    assert db.session.execute(db.select(db.func.count()).select_from(Enrollment)).scalar_one() == 40
    unverified = db.select(db.func.count()).select_from(User).where(User.email_verified_at.is_(None))
    assert db.session.execute(unverified).scalar_one() == 0, "demo learners may take quizzes with verification on"
    again = runner.invoke(args=["lms", "demo", "--learners", "5"])
    assert again.exit_code == 1 and "already holds demo learners" in again.output


def test_check_lint_prints_warnings_and_still_passes(runner):
    result = runner.invoke(args=["lms", "check", "--lint", "--pack", str(MINI_PACK)])
    assert result.exit_code == 0, result.output
    assert "course pack OK" in result.output
    assert "objective days: the objective has 1 item (at least 3 wanted) [thin-objective]" in result.output
    assert "    hint: every attempt measures every objective" in result.output
    assert "item-writing warnings (" in result.output


def test_check_without_lint_prints_no_warnings(runner):
    result = runner.invoke(args=["lms", "check", "--pack", str(MINI_PACK)])
    assert "[thin-objective]" not in result.output and "item-writing" not in result.output


def test_create_instructor_limited_to_cohorts(runner, course):
    create_cohort(course.id, CohortDetails(name="Spring", slug="spring"))
    db.session.commit()
    result = runner.invoke(
        args=["lms", "create-instructor", "t@example.org", "--cohort", "spring", "--generate-password"]
    )
    assert result.exit_code == 0 and "(cohorts spring only)" in result.output, result.output
    (user,) = instructors()
    enrollment = db.session.execute(db.select(Enrollment).where(Enrollment.user_id == user.id)).scalar_one()
    assert db.session.execute(db.select(StaffCohort.cohort_id).where(StaffCohort.enrollment_id == enrollment.id)).all()
    unknown = runner.invoke(
        args=["lms", "create-instructor", "u@example.org", "--cohort", "nope", "--generate-password"]
    )
    assert unknown.exit_code == 1 and "has no cohort 'nope'" in unknown.output
    assert len(instructors()) == 1, "nothing written"
