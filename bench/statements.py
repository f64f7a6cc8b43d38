"""SQL statements per request, counted in-process through Flask's test client."""

from __future__ import annotations

import sys
import urllib.parse
from pathlib import Path

from . import urls
from .client import quiz_answers
from .common import ROOT, SECRET_KEY, BenchError
from .dataset import Subjects


def statement_counts(db_path: Path, subjects: Subjects, lesson: str, quiz_email: str | None) -> dict[str, dict]:
    """Count the SQL statements of one request per path (first and second request: cold and warm)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from flask_login import FlaskLoginClient
    from sqlalchemy import event, select
    from werkzeug.datastructures import MultiDict

    from lms import create_app
    from lms.extensions import db
    from lms.models import User

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
            "SECRET_KEY": SECRET_KEY,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    app.test_client_class = FlaskLoginClient
    with app.app_context():
        engine = db.engine
        users = {
            "learner": db.session.get(User, subjects.learner_user_id),
            "instructor": db.session.get(User, subjects.instructor_user_id),
        }
        if quiz_email:
            users["quiz"] = db.session.execute(select(User).where(User.email == quiz_email)).scalar_one()
        for user in users.values():
            db.session.expunge(user)
    # Requests run outside any app context, each in its own, as on a server.
    clients = {"anonymous": app.test_client(), **{who: app.test_client(user=user) for who, user in users.items()}}
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    def counted(who: str, method: str, path: str, data=None):
        statements.clear()
        response = clients[who].open(path, method=method, data=data, buffered=True)
        return response, len(statements)

    def sql() -> list[str]:
        return [" ".join(statement.split())[:200] for statement in statements]

    counts: dict[str, dict] = {}
    event.listen(engine, "before_cursor_execute", record)
    try:
        for key, _label, who, path in urls.read_paths(subjects, lesson):
            first, cold = counted(who, "GET", path)
            second, warm = counted(who, "GET", path)
            if first.status_code != 200 or second.status_code != 200:
                raise BenchError(f"in-process GET {path} as {who} answered {first.status_code}/{second.status_code}")
            counts[key] = {"warm": warm, "cold": cold, "sql": sql()}
        if quiz_email:
            steps, texts = {}, {}
            start, steps["start"] = counted("quiz", "POST", urls.start_attempt(lesson))
            texts["start"] = sql()
            location = urllib.parse.urlsplit(start.headers.get("Location", "")).path
            page, steps["page"] = counted("quiz", "GET", location)
            texts["page"] = sql()
            answers = MultiDict([(name, value) for name, value in quiz_answers(page.data) if name != "csrf_token"])
            submit, steps["submit"] = counted("quiz", "POST", location, data=answers)
            texts["submit"] = sql()
            statuses = (start.status_code, page.status_code, submit.status_code)
            if statuses != (303, 200, 303):
                raise BenchError(f"in-process quiz attempt answered {statuses}, expected (303, 200, 303)")
            total = sum(steps.values())
            counts["quiz"] = {"warm": total, "cold": total, "steps": steps, "sql": texts}
        response, n_csv = counted("instructor", "GET", urls.ROSTER_CSV)
        if response.status_code != 200:
            raise BenchError(f"in-process CSV export answered {response.status_code}")
        counts["csv"] = {"warm": n_csv, "cold": n_csv, "sql": sql()}
    finally:
        event.remove(engine, "before_cursor_execute", record)
        with app.app_context():
            db.engine.dispose()
    return counts
