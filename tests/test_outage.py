"""A PostgreSQL outage: signed-in pages answer a styled 503, /readyz fails, and both recover."""

from flask_migrate import upgrade

from lms.extensions import db
from lms.services.accounts import register_user

from .conftest import PROJECT_ROOT, IsolatedClient
from .postgres_cluster import app_on, private_postgres  # noqa: F401 (a fixture)

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy")


def test_database_outage_answers_503_and_recovers(private_postgres):  # noqa: F811
    app = app_on(private_postgres)
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade(directory=str(PROJECT_ROOT / "migrations"))
        user = register_user("Olga Outage", "olga@example.org", "a long password")
        db.session.commit()
        client = app.test_client(user=user)
        db.session.remove()
        assert client.get("/account/").status_code == 200
        assert client.get("/readyz").status_code == 200

        private_postgres.stop()
        try:
            response = client.get("/account/")
            page = response.get_data(as_text=True)
            assert response.status_code == 503 and "briefly unavailable" in page, page[:500]
            assert response.headers["Retry-After"] == "30"
            assert all(name in response.headers for name in SECURITY_HEADERS)
            assert client.get("/static/css/app.css").status_code == 200  # the page keeps its style
            ready = client.get("/readyz")
            assert ready.status_code == 503 and ready.json["checks"]["database"] is False
            assert client.get("/healthz").status_code == 200
        finally:
            private_postgres.start()

        # No restart of the app: the pool's pre-ping replaces the dead connections.
        assert client.get("/readyz").status_code == 200
        assert client.get("/account/").status_code == 200
        db.engine.dispose()
