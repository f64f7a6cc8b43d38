"""Settings from the environment: overrides first, no side effects, production refuses unsafe values."""

import os
import secrets
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from lms import create_app
from lms.config import ConfigError, instance_secret_key, load_settings, secret_key_problem
from lms.extensions import db
from lms.models import User
from lms.services.accounts import register_user

from .conftest import MINI_PACK, PROJECT_ROOT

STRONG_KEY = "9f2c4e7a1b3d5f60718293a4b5c6d7e8f9a0b1c2d3e4f5061728394a5b6c7d8e"


@pytest.fixture
def clean_env(monkeypatch):
    for name in (
        "SECRET_KEY",
        "DATABASE_URL",
        "LMS_ENV",
        "LMS_INSTANCE_PATH",
        "ENROLLMENT_CODE",
        "SESSION_COOKIE_SECURE",
        "MAX_CONTENT_LENGTH",
        "DATABASE_LOCK_TIMEOUT",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_local_defaults_generate_a_secret_once_and_use_sqlite(clean_env, tmp_path):
    folder = tmp_path / "instance"
    first = load_settings(folder)
    second = load_settings(folder)
    assert len(first["SECRET_KEY"]) == 64 and first["SECRET_KEY"] == second["SECRET_KEY"]
    assert (folder / "secret_key").stat().st_mode & 0o777 == 0o600
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{folder / 'lms.sqlite3'}"
    assert first["SESSION_COOKIE_SECURE"] is False and first["ENROLLMENT_CODE"] is None
    assert first["MAX_CONTENT_LENGTH"] == 1024 * 1024 and first["PASSWORD_HASH_METHOD"] == "scrypt"
    assert sorted(path.name for path in folder.iterdir()) == ["secret_key"]


def test_overrides_come_first_and_touch_no_file(clean_env, tmp_path):
    folder = tmp_path / "instance"
    settings = load_settings(folder, {"SECRET_KEY": "given", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert settings["SECRET_KEY"] == "given" and settings["SQLALCHEMY_DATABASE_URI"] == "sqlite://"
    assert not folder.exists()


def test_creating_the_app_as_the_tests_do_writes_nothing_into_the_instance_folder(clean_env, tmp_path):
    clean_env.setenv("LMS_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://", "COURSE_PACK_PATH": str(MINI_PACK)})
    assert app.instance_path == str(tmp_path / "instance")
    assert not (tmp_path / "instance").exists()


def test_the_test_fixtures_write_nothing_into_the_instance_folder(tmp_path):
    # The real fixtures (a migrated database, an app per test) in a pytest of their own.
    folder = tmp_path / "instance"
    environment = {**os.environ, "LMS_INSTANCE_PATH": str(folder)}
    environment.pop("SECRET_KEY", None)
    test = "tests/web/test_operations.py::test_healthz_answers_without_the_database"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider", test]
    result = subprocess.run(command, cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:]
    assert not folder.exists()


def test_two_processes_starting_at_once_read_the_same_complete_key(clean_env, tmp_path):
    folder = tmp_path / "instance"
    barrier = threading.Barrier(8)

    def start():
        barrier.wait(timeout=10)
        return instance_secret_key(folder)

    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = list(pool.map(lambda _: start(), range(8)))
    assert len(set(keys)) == 1 and len(keys[0]) == 64
    assert sorted(path.name for path in folder.iterdir()) == ["secret_key"]  # no temporary file left


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
    assert load_settings(tmp_path)["SQLALCHEMY_DATABASE_URI"] == expected


@pytest.mark.parametrize("value", ["Production", "PRODUCTION", "prod", "production ", "dev", "test", "staging"])
def test_an_unknown_environment_is_refused(clean_env, tmp_path, value):
    clean_env.setenv("LMS_ENV", value)
    clean_env.setenv("SECRET_KEY", STRONG_KEY)
    with pytest.raises(ConfigError, match="LMS_ENV"):
        load_settings(tmp_path)


@pytest.mark.parametrize("value", ["development", "production", "testing"])
def test_the_three_environments_are_accepted(clean_env, tmp_path, value):
    clean_env.setenv("LMS_ENV", value)
    clean_env.setenv("SECRET_KEY", STRONG_KEY)
    settings = load_settings(tmp_path)
    assert settings["LMS_ENV"] == value and settings["TESTING"] is (value == "testing")


@pytest.mark.parametrize(("name", "value"), [("MAX_CONTENT_LENGTH", "1MB"), ("DATABASE_LOCK_TIMEOUT", "-1")])
def test_a_bad_number_is_refused_by_name(clean_env, tmp_path, name, value):
    clean_env.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        load_settings(tmp_path)


def test_production_needs_a_secret_key_and_secure_cookies(clean_env, tmp_path):
    clean_env.setenv("LMS_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings(tmp_path)
    clean_env.setenv("SECRET_KEY", STRONG_KEY)
    settings = load_settings(tmp_path)
    assert settings["SECRET_KEY"] == STRONG_KEY
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    "key",
    [
        "x",
        "from-the-environment",
        STRONG_KEY[:60],  # 30 bytes of randomness in hex
        "a" * 64,
        "ab" * 32,
        "0123456789abcdef" * 4,
        "password" * 8,
        "1" * 80,
        "31415926535897932384626433832795028841971693993751",  # 50 digits: 166 bits
    ],
)
def test_production_refuses_a_short_or_predictable_secret_key(clean_env, tmp_path, key):
    assert secret_key_problem(key)
    clean_env.setenv("LMS_ENV", "production")
    clean_env.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings(tmp_path)


def test_generated_keys_are_strong_enough():
    for _ in range(50):
        for key in (secrets.token_hex(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48)):
            assert secret_key_problem(key) is None, key
    assert secret_key_problem(STRONG_KEY) is None


def test_production_config_hashes_passwords_with_scrypt(clean_env, tmp_path):
    clean_env.setenv("LMS_ENV", "production")
    clean_env.setenv("SECRET_KEY", STRONG_KEY)
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.sqlite3'}", "COURSE_PACK_PATH": str(MINI_PACK)}
    )
    assert app.config["PASSWORD_HASH_METHOD"] == "scrypt"
    with app.app_context():
        db.create_all()
        user = register_user("Pat", "pat@example.org", "a long password")
        db.session.commit()
        assert db.session.get(User, user.id).password_hash.startswith("scrypt:")
        assert db.session.execute(text("SELECT count(*) FROM users")).scalar_one() == 1
        db.engine.dispose()


def test_demo_refuses_to_run_in_production(app, runner):
    app.config["LMS_ENV"] = "production"
    result = runner.invoke(args=["lms", "demo", "--learners", "3"])
    assert result.exit_code == 1 and "not in production" in result.output
    assert db.session.execute(text("SELECT count(*) FROM users")).scalar_one() == 0
