"""Profile one endpoint in-process with pyinstrument: where does a request's time go?

    .venv/bin/python -m bench.profiling --database /var/tmp/lms-bench/lms-1000-....sqlite3 /lessons/hipaa
    .venv/bin/python -m bench.profiling --database DB --quiz hipaa     # a whole attempt: start, page, submit

Signs in as the demo learner with the most attempts (or a course instructor for /instructor/ paths)
through Flask-Login's test client, warms up, then profiles N requests and prints the tree.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import urls  # noqa: E402  (after the path is set)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", nargs="?", default=urls.lesson("hipaa"))
    parser.add_argument("--database", required=True, help="a SQLite file filled by `lms demo` (e.g. a bench cache)")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--quiz", metavar="LESSON", help="profile whole attempts at this quiz instead of a path")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(args.database).resolve()}"
    os.environ.setdefault("SECRET_KEY", "profile")
    os.environ["RATELIMIT_ENABLED"] = "0"

    from flask_login import FlaskLoginClient
    from pyinstrument import Profiler
    from sqlalchemy import select

    from lms import create_app
    from lms.extensions import db
    from lms.models import Attempt, Enrollment, LessonProgress, User
    from tests.helpers import QuizAnswers

    app = create_app({"WTF_CSRF_ENABLED": False})
    app.test_client_class = FlaskLoginClient
    course = app.extensions["lms.catalog"].default
    with app.app_context():
        if args.quiz:
            users = db.session.execute(
                select(User).join(Enrollment).join(LessonProgress)
                .where(LessonProgress.lesson_id == args.quiz, LessonProgress.attempts_count == 0)
                .limit(args.requests + 20)
            ).scalars().all()  # fmt: skip
        elif "/instructor" in args.path:
            # An instructor of the course (the demo's are course roles, not administrators).
            instructors = select(User).join(Enrollment).where(Enrollment.role == "instructor")
            users = [db.session.execute(instructors.limit(1)).scalar_one()]
        else:
            users = [
                db.session.execute(
                    select(User).join(Enrollment).order_by(Enrollment.attempts_used.desc()).limit(1)
                ).scalar_one()
            ]
        for user in users:
            db.session.expunge(user)

    def whole_attempt(user) -> None:
        client = app.test_client(user=user)
        location = client.post(urls.start_attempt(args.quiz)).location
        client.get(location)
        with app.app_context():
            attempt = db.session.get(Attempt, int(location.rsplit("/", 1)[1]))
            data = QuizAnswers(course, attempt).form(correct=6)
        assert client.post(location, data=data).status_code == 303

    if args.quiz:
        for user in users[:10]:
            whole_attempt(user)
        profiler = Profiler()
        with profiler:
            for user in users[10:]:
                whole_attempt(user)
    else:
        client = app.test_client(user=users[0])
        for _ in range(30):
            assert client.get(args.path).status_code == 200
        profiler = Profiler()
        with profiler:
            for _ in range(args.requests):
                client.get(args.path)
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
