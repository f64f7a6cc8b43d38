"""Operations: health checks, request size limit, error pages that need no database."""

import pytest
from flask_login import FlaskLoginClient
from sqlalchemy import event, text

from lms import create_app
from lms.extensions import db
from lms.models import User

from ..conftest import MINI_PACK

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy")


@pytest.fixture
def statements(app):
    """Collect the SQL statements the app's engine runs from now on."""
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def test_healthz_answers_without_the_database(client, statements):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "checks": {}}
    assert statements == []


def test_readyz_checks_database_migrations_and_pack(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json == {"status": "ready", "checks": {"database": True, "migrations": True, "course_pack": True}}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_fails_while_migrations_are_behind(client):
    current = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    db.session.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    db.session.commit()
    try:
        response = client.get("/readyz")
    finally:
        db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})
        db.session.commit()
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.json["checks"] == {"database": True, "migrations": False, "course_pack": True}


def test_an_error_page_for_a_signed_in_user_reads_nothing_from_the_database(learner_client, statements):
    response = learner_client.get("/no-such-page")
    assert response.status_code == 404 and "Error 404" in response.get_data(as_text=True)
    assert statements == []
    assert all(name in response.headers for name in SECURITY_HEADERS)


@pytest.mark.parametrize("csrf", [False, True])
def test_a_body_over_the_limit_gets_a_styled_413_and_writes_nothing(app, csrf):
    app.config["WTF_CSRF_ENABLED"] = csrf
    body = {"name": "x" * (1024 * 1024), "email": "big@example.org", "password": "p" * 12, "confirm": "p" * 12}
    response = app.test_client().post("/account/register", data=body)
    page = response.get_data(as_text=True)
    assert response.status_code == 413 and "Error 413" in page and "up to 1 MB" in page
    assert all(name in response.headers for name in SECURITY_HEADERS)
    assert db.session.execute(db.select(db.func.count()).select_from(User)).scalar_one() == 0


def test_the_request_limit_is_a_setting(app):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = app.test_client().post("/account/login", data={"email": "a@example.org", "password": "x" * 2000})
    assert response.status_code == 413 and "up to 1,000 bytes" in response.get_data(as_text=True)


def test_an_unreachable_database_answers_a_styled_503_with_the_security_headers(tmp_path, make_user):
    user = make_user()
    # A database file in a folder that does not exist: SQLite cannot open it.
    broken = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'missing' / 'lms.sqlite3'}",
            "SECRET_KEY": "test-secret-key",
            "COURSE_PACK_PATH": str(MINI_PACK),
        }
    )
    broken.test_client_class = FlaskLoginClient
    with broken.test_client(user=user) as client:
        response = client.get("/account/")
        page = response.get_data(as_text=True)
        assert response.status_code == 503 and "briefly unavailable" in page, page[:300]
        assert response.headers["Retry-After"] == "30" and response.headers["Cache-Control"] == "no-store"
        assert all(name in response.headers for name in SECURITY_HEADERS)
        assert client.get("/readyz").status_code == 503
        assert client.get("/healthz").status_code == 200
        json = client.get("/account/", headers={"Accept": "application/json"})
        assert json.status_code == 503 and json.json["error"]["status"] == 503
