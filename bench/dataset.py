"""The benchmark databases: built once per size with `lms demo`, cached, and the learners to look at."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .common import (
    BIN,
    DEMO_DOMAIN,
    FINGERPRINT_GLOBS,
    INSTRUCTOR_EMAIL,
    ROOT,
    SECRET_KEY,
    BenchError,
    log,
)


def app_env(db_path: Path) -> dict[str, str]:
    """Environment for the app's commands and servers: this database, a fixed key, no rate limit."""
    env = {key: value for key, value in os.environ.items() if key not in {"FLASK_APP", "FLASK_DEBUG"}}
    env.update(
        DATABASE_URL=f"sqlite:///{db_path}",
        SECRET_KEY=SECRET_KEY,
        LMS_ENV="production",
        SESSION_COOKIE_SECURE="0",  # plain HTTP on 127.0.0.1
        RATELIMIT_ENABLED="0",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def fingerprint(size: int, seed: int) -> str:
    digest = hashlib.sha256(f"{size}:{seed}".encode())
    for pattern in FINGERPRINT_GLOBS:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def flask(args: list[str], db_path: Path) -> str:
    """Run a flask command on the database; the building runs as development (production refuses lms demo)."""
    command = [str(BIN / "flask"), "--app", "app", *args]
    env = app_env(db_path) | {"LMS_ENV": "development"}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchError(f"`flask {' '.join(args)}` failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return result.stdout


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def cached_database(size: int, seed: int, cache_dir: Path) -> tuple[Path, dict]:
    """Return a filled, ANALYZEd database for this size (built once, then reused) and its facts."""
    key = f"lms-{size}-seed{seed}-{fingerprint(size, seed)}"
    db_path, meta_path = cache_dir / f"{key}.sqlite3", cache_dir / f"{key}.json"
    cache_dir.mkdir(parents=True, exist_ok=True)
    with open(cache_dir / f"lms-{size}-seed{seed}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another engineer may be building the same one
        if db_path.exists() and meta_path.exists():
            log(f"reusing {db_path}")
            return db_path, json.loads(meta_path.read_text())
        for old in cache_dir.glob(f"lms-{size}-seed{seed}-*"):  # built from older code
            old.unlink()
        building = cache_dir / f"{key}.building-{os.getpid()}.sqlite3"
        remove_database(building)
        log(f"building the {size:,}-learner database (seed {seed}); 50,000 learners take about 80 s")
        started = time.perf_counter()
        try:
            flask(["db", "upgrade"], building)
            summary = flask(["lms", "demo", "--learners", str(size), "--seed", str(seed)], building)
            output = flask(["lms", "create-instructor", INSTRUCTOR_EMAIL, "--generate-password"], building)
            found = re.search(r"Password \(shown once\): (\S+)", output)
            if not found:
                raise BenchError(f"no password in the create-instructor output:\n{output}")
            with contextlib.closing(sqlite3.connect(building)) as connection:
                connection.execute("ANALYZE")
                connection.commit()
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except BaseException:
            remove_database(building)
            raise
        remove_database(db_path)
        os.replace(building, db_path)
        remove_database(building)
        meta = {
            "size": size,
            "seed": seed,
            "key": key,
            "instructor_email": INSTRUCTOR_EMAIL,
            "instructor_password": found.group(1),
            "demo_summary": [line for line in summary.splitlines() if " learners, " in line][-1:],
            "build_seconds": round(time.perf_counter() - started, 1),
            "built_at": datetime.now().isoformat(timespec="seconds"),
        }
        meta_path.write_text(json.dumps(meta, indent=2))
        log(f"built in {meta['build_seconds']} s: {' '.join(meta['demo_summary'])}")
        return db_path, meta


@dataclass(frozen=True)
class Subjects:
    """Who and what the benchmark looks at in one database."""

    learner_email: str
    learner_user_id: int
    busy_enrollment_id: int
    busy_attempts: int
    instructor_user_id: int
    enrollments: int


def pick_subjects(db_path: Path) -> Subjects:
    with contextlib.closing(sqlite3.connect(db_path)) as connection:
        # The busiest demo learner: enrolled, with the most attempts (both the learner and the reviewed one).
        email, user_id, enrollment_id, attempts = connection.execute(
            "SELECT u.email, u.id, e.id, e.attempts_used FROM enrollments e JOIN users u ON u.id = e.user_id "
            "WHERE u.email LIKE ? AND e.attempts_used > 0 ORDER BY e.attempts_used DESC, e.id LIMIT 1",
            (f"%{DEMO_DOMAIN}",),
        ).fetchone()
        (instructor_id,) = connection.execute("SELECT id FROM users WHERE email = ?", (INSTRUCTOR_EMAIL,)).fetchone()
        (enrollments,) = connection.execute("SELECT count(*) FROM enrollments").fetchone()
    return Subjects(email, user_id, enrollment_id, attempts, instructor_id, enrollments)


def quiz_candidates(db_path: Path, lesson: str, max_attempts: int, exclude: int) -> list[tuple[str, int]]:
    """Demo learners with attempts left at the quiz and none open: (email, attempts left)."""
    with contextlib.closing(sqlite3.connect(db_path)) as connection:
        rows = connection.execute(
            "SELECT u.email, "
            "  (SELECT count(*) FROM attempts a WHERE a.enrollment_id = e.id AND a.lesson_id = ?) AS used "
            "FROM enrollments e JOIN users u ON u.id = e.user_id "
            "WHERE u.email LIKE ? AND e.id != ? AND NOT EXISTS (SELECT 1 FROM attempts a "
            "  WHERE a.enrollment_id = e.id AND a.lesson_id = ? AND a.submitted_at IS NULL) "
            "ORDER BY used, e.id",
            (lesson, f"%{DEMO_DOMAIN}", exclude, lesson),
        ).fetchall()
    left = [(email, max_attempts - used if max_attempts else 1_000_000) for email, used in rows]
    return [(email, n) for email, n in left if n > 0]
