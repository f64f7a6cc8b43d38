"""Rate limits shared by several app servers through Redis (TEST_REDIS_URL; CI starts one)."""

import json
import os
import subprocess
import sys
import uuid

import pytest

from lms import create_app
from lms.extensions import db

from ..conftest import MINI_PACK, PROJECT_ROOT

REDIS_URL = os.environ.get("TEST_REDIS_URL")


def settings(database_url: str, storage: str, prefix: str) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key",
        "COURSE_PACK_PATH": str(MINI_PACK),
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": storage,
        "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": prefix},  # this test's own keys in the shared store
    }


# Another worker is another process: the limiter is one object per process.
OTHER_WORKER = """
import json, sys
from lms import create_app
from lms.extensions import db
app = create_app(json.loads(sys.argv[1]))
print(app.test_client().post("/account/login", data={"email": "x@example.org", "password": "x"}).status_code)
"""


def other_worker_answers(config: dict) -> int:
    """Status of one wrong sign-in sent to a fresh app in a process of its own."""
    command = [sys.executable, "-c", OTHER_WORKER, json.dumps(config)]
    result = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60, check=True)
    return int(result.stdout.split()[-1])


def fail_until_throttled(config: dict, limit: int = 100) -> int:
    """Post wrong sign-ins to an app in this process until it answers 429; return how many it took."""
    app = create_app(config)
    client = app.test_client()
    try:
        for tries in range(1, limit + 1):
            status = client.post("/account/login", data={"email": f"u{tries}@example.org", "password": "x"})
            if status.status_code == 429:
                return tries
            assert status.status_code == 400
        raise AssertionError(f"no 429 after {limit} wrong sign-ins")
    finally:
        with app.app_context():
            db.engine.dispose()  # no connection left for the garbage collector


@pytest.mark.skipif(not REDIS_URL, reason="set TEST_REDIS_URL=redis://127.0.0.1:PORT/0 (.ci/run starts a Redis)")
def test_two_workers_share_the_sign_in_limit_through_redis(migrated_database):
    config = settings(migrated_database, REDIS_URL, f"lms-test-{uuid.uuid4().hex}")
    assert fail_until_throttled(config) > 1
    # The other worker has seen none of these requests, yet it counts them.
    assert other_worker_answers(config) == 429


def test_memory_storage_is_per_worker(migrated_database):
    # Why production with several workers needs RATELIMIT_STORAGE_URI=redis://...: each counts alone.
    config = settings(migrated_database, "memory://", f"lms-test-{uuid.uuid4().hex}")
    fail_until_throttled(config)
    assert other_worker_answers(config) == 400
