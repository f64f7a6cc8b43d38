"""Settings from the environment, with safe defaults for a local run."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _instance_secret_key(instance_path: Path) -> str:
    """Return the local secret key, generating it once into instance/ (never committed)."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: two processes starting at once must not write two different keys.
    try:
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Hosting platforms hand out postgres:// URLs; SQLAlchemy needs the driver named.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgres://")
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return url
    instance_path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance_path / 'lms.sqlite3'}"


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def settings_from_environment(instance_path: Path) -> dict:
    """Build the app's configuration from environment variables."""
    production = os.environ.get("LMS_ENV", "development") == "production"
    secret_key = os.environ.get("SECRET_KEY")
    if not secret_key:
        if production:
            raise RuntimeError("SECRET_KEY must be set when LMS_ENV=production")
        secret_key = _instance_secret_key(instance_path)
    return {
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "COURSE_PACK_PATH": os.environ.get("COURSE_PACK_PATH", str(PROJECT_ROOT)),
        "ENROLLMENT_CODE": os.environ.get("ENROLLMENT_CODE") or None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * 30,
        "FRAME_ANCESTORS": os.environ.get("FRAME_ANCESTORS", "").split(),
        # LTI: the tool's signing key (PEM) in production; without it, a key made once in instance/.
        "LTI_PRIVATE_KEY": os.environ.get("LTI_PRIVATE_KEY") or None,
        "LTI_BASE_URL": os.environ.get("LTI_BASE_URL") or None,
        "LTI_KEY_FILE": str(instance_path / "lti-tool-key.pem"),
        # LTI sessions live in a platform's iframe: their cookie is SameSite=None; Secure; Partitioned.
        "LTI_COOKIE_SECURE": _flag("LTI_COOKIE_SECURE", True),
        "LTI_ROSTER_SYNC_MINUTES": int(os.environ.get("LTI_ROSTER_SYNC_MINUTES", "60")),
        "TRUST_PROXY_HOPS": int(os.environ.get("TRUST_PROXY_HOPS", "0")),
        "RATELIMIT_ENABLED": _flag("RATELIMIT_ENABLED", True),
        # memory:// is per process: with several workers use a shared store, e.g. redis://host:6379.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,  # token lives as long as the session: long quizzes must not expire
        # Shared cache (quiz analysis): Redis when set, else per process. See lms/services/cache.py.
        "CACHE_URL": os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL") or None,
    }
