"""Settings from the environment, with safe defaults for a local run and checks for production."""

from __future__ import annotations

import math
import os
import secrets
import string
import zlib
from collections.abc import Mapping
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "production", "testing")
MIN_SECRET_KEY_BITS = 256  # 32 bytes of randomness
# Alphabets a generated key is usually written in, smallest first: a key's entropy is at most
# log2(alphabet) per character of the smallest alphabet that holds all its characters.
_KEY_ALPHABETS = (
    set(string.digits),
    set("0123456789abcdef"),
    set("0123456789ABCDEF"),
    set(string.ascii_letters + string.digits + "-_+/="),
    set(string.printable) - set(string.whitespace),
)


class ConfigError(RuntimeError):
    """Raised when a setting is missing, unknown or unsafe; the message says which and how to fix it."""


def instance_path() -> Path:
    """Return the folder for local state (secret key, SQLite database): LMS_INSTANCE_PATH or ./instance."""
    return Path(os.environ.get("LMS_INSTANCE_PATH") or PROJECT_ROOT / "instance")


def environment() -> str:
    """Return LMS_ENV (development by default); raise ConfigError for any other value than the three known."""
    value = os.environ.get("LMS_ENV") or "development"
    if value not in ENVIRONMENTS:
        # Refuse rather than guess: "Production" or "prod" running as development would drop secure cookies.
        raise ConfigError(f"LMS_ENV={value!r} is not one of {', '.join(ENVIRONMENTS)} (lowercase, spelled out)")
    return value


def _write_private_file(path: Path, text: str) -> bool:
    """Write a 0600 file atomically unless it exists; return False if another process wrote it first."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        # link() publishes the complete file or fails if one exists: no reader sees it half-written.
        os.link(temporary, path)
        return True
    except FileExistsError:
        return False
    finally:
        temporary.unlink(missing_ok=True)


def instance_secret_key(folder: Path) -> str:
    """Return the local secret key, generating it once into the instance folder (never committed)."""
    key_file = folder / "secret_key"
    if not key_file.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        _write_private_file(key_file, secrets.token_hex(32))
    return key_file.read_text().strip()


def secret_key_problem(key: str) -> str | None:
    """Say why a key is too weak for production (under 32 bytes of randomness), or None if it is fine."""
    size = len(key.encode())
    if size < MIN_SECRET_KEY_BITS // 8:
        return f"SECRET_KEY has {size} bytes; production needs at least {MIN_SECRET_KEY_BITS // 8} bytes of randomness"
    alphabet = next((len(chars) for chars in _KEY_ALPHABETS if set(key) <= chars), 256)
    bits = len(key) * math.log2(alphabet)
    # Random text hardly compresses; repeats and patterns ("aaaa...", "abab...", "0123...") do.
    repetitive = len(zlib.compress(key.encode(), 9)) < 0.7 * size
    if bits < MIN_SECRET_KEY_BITS or repetitive:
        return f"SECRET_KEY looks predictable (repeated, or too short for {MIN_SECRET_KEY_BITS} bits in its alphabet)"
    return None


def _database_url() -> str | None:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy needs the driver named.
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _number(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a number") from None
    if number < 0:
        raise ConfigError(f"{name}={value!r} must not be negative")
    return number


def settings_from_environment() -> dict:
    """Read the app's configuration from environment variables; no file is read or written here."""
    env = environment()
    production = env == "production"
    return {
        "LMS_ENV": env,
        "TESTING": env == "testing",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": _database_url(),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Seconds; 0 turns a timeout off. SQLite's busy timeout is the lock timeout.
        "DATABASE_CONNECT_TIMEOUT": _number("DATABASE_CONNECT_TIMEOUT", 5),
        "DATABASE_STATEMENT_TIMEOUT": _number("DATABASE_STATEMENT_TIMEOUT", 30),
        "DATABASE_LOCK_TIMEOUT": _number("DATABASE_LOCK_TIMEOUT", 5),
        "MAX_CONTENT_LENGTH": int(_number("MAX_CONTENT_LENGTH", 1024 * 1024)),
        "COURSE_PACK_PATH": os.environ.get("COURSE_PACK_PATH", str(PROJECT_ROOT)),
        "ENROLLMENT_CODE": os.environ.get("ENROLLMENT_CODE") or None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", production),
        # Server-side sessions (lms/web/sessions.py), in seconds: ended after this long without a
        # request, and this long after sign-in at the latest ("keep me signed in": the longer one).
        "SESSION_IDLE_TIMEOUT": int(os.environ.get("SESSION_IDLE_TIMEOUT", 8 * 3600)),
        "SESSION_ABSOLUTE_TIMEOUT": int(os.environ.get("SESSION_ABSOLUTE_TIMEOUT", 12 * 3600)),
        "SESSION_REMEMBER_TIMEOUT": int(os.environ.get("SESSION_REMEMBER_TIMEOUT", 30 * 24 * 3600)),
        "FRAME_ANCESTORS": os.environ.get("FRAME_ANCESTORS", "").split(),
        # LTI: the tool's signing key (PEM) in production; without it, a key made once in instance/.
        "LTI_PRIVATE_KEY": os.environ.get("LTI_PRIVATE_KEY") or None,
        "LTI_BASE_URL": os.environ.get("LTI_BASE_URL") or None,
        "LTI_KEY_FILE": os.environ.get("LTI_KEY_FILE") or None,
        # LTI sessions live in a platform's iframe: their cookie is SameSite=None; Secure; Partitioned.
        "LTI_COOKIE_SECURE": _flag("LTI_COOKIE_SECURE", True),
        "LTI_ROSTER_SYNC_MINUTES": int(_number("LTI_ROSTER_SYNC_MINUTES", 60)),
        "TRUST_PROXY_HOPS": int(_number("TRUST_PROXY_HOPS", 0)),
        "RATELIMIT_ENABLED": _flag("RATELIMIT_ENABLED", True),
        # memory:// is per process: with several workers use a shared store, e.g. redis://host:6379.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # werkzeug's method name; the tests set a cheap one, production keeps scrypt.
        "PASSWORD_HASH_METHOD": "scrypt",
        "WTF_CSRF_TIME_LIMIT": None,  # token lives as long as the session: long quizzes must not expire
        # Shared cache (quiz analysis): Redis when set, else per process. See lms/cache.py.
        "CACHE_URL": os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL") or None,
        # Links in mails are built on PUBLIC_URL (e.g. https://academy.example.org), never on the
        # request's Host header, which a client may forge to send someone's reset link elsewhere.
        "PUBLIC_URL": (os.environ.get("PUBLIC_URL") or "").rstrip("/") or None,
        "PASSWORD_RESET_MAX_AGE": int(_number("PASSWORD_RESET_MAX_AGE", 60 * 60)),
        "EMAIL_VERIFICATION_REQUIRED": _flag("EMAIL_VERIFICATION_REQUIRED", production),
        "EMAIL_VERIFICATION_MAX_AGE": int(_number("EMAIL_VERIFICATION_MAX_AGE", 3 * 24 * 60 * 60)),
        "MAIL_URL": os.environ.get("MAIL_URL") or None,
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(_number("MAIL_PORT", 25)),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _flag("MAIL_USE_SSL", False),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "Office Manager Academy <noreply@localhost>"),
    }


def load_settings(folder: Path, overrides: Mapping | None = None) -> dict:
    """Return the environment's settings with the overrides on top, then the local defaults for what is
    still unset (instance secret key, SQLite file); raise ConfigError if production settings are unsafe."""
    settings = settings_from_environment()
    settings.update(overrides or {})
    production = settings["LMS_ENV"] == "production"
    if not settings["SECRET_KEY"]:
        if production:
            raise ConfigError("SECRET_KEY must be set when LMS_ENV=production")
        settings["SECRET_KEY"] = instance_secret_key(folder)
    elif production and (problem := secret_key_problem(settings["SECRET_KEY"])):
        raise ConfigError(f'{problem}: generate one with python -c "import secrets; print(secrets.token_hex(32))"')
    if not settings["LTI_KEY_FILE"]:  # made there on first use (services.lti.keys), never committed
        settings["LTI_KEY_FILE"] = str(folder / "lti-tool-key.pem")
    if not settings["SQLALCHEMY_DATABASE_URI"]:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        settings["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{folder / 'lms.sqlite3'}"
    return settings
