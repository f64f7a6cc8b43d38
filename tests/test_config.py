"""Settings from the environment."""

import pytest

from lms.config import settings_from_environment


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("SECRET_KEY", "DATABASE_URL", "LMS_ENV", "ENROLLMENT_CODE", "SESSION_COOKIE_SECURE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_local_defaults_generate_a_secret_once_and_use_sqlite(clean_env, tmp_path):
    first = settings_from_environment(tmp_path)
    second = settings_from_environment(tmp_path)
    assert len(first["SECRET_KEY"]) == 64 and first["SECRET_KEY"] == second["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'lms.sqlite3'}"
    assert first["SESSION_COOKIE_SECURE"] is False and first["ENROLLMENT_CODE"] is None


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db/lms", "postgresql+psycopg://u:p@db/lms"),
        ("postgresql://u@db/lms", "postgresql+psycopg://u@db/lms"),
        ("postgresql+psycopg://u@db/lms", "postgresql+psycopg://u@db/lms"),
        ("sqlite:////srv/lms.db", "sqlite:////srv/lms.db"),
    ],
)
def test_database_url(clean_env, tmp_path, given, expected):
    clean_env.setenv("DATABASE_URL", given)
    assert settings_from_environment(tmp_path)["SQLALCHEMY_DATABASE_URI"] == expected


def test_production_needs_a_secret_key_and_secure_cookies(clean_env, tmp_path):
    clean_env.setenv("LMS_ENV", "production")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        settings_from_environment(tmp_path)
    clean_env.setenv("SECRET_KEY", "from-the-environment")
    settings = settings_from_environment(tmp_path)
    assert settings["SECRET_KEY"] == "from-the-environment"
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]
    assert not (tmp_path / "secret_key").exists()
