"""Paths, fixed settings and logging shared by the bench modules."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
BIN = ROOT / ".venv" / "bin"
RESULTS_DIR = BENCH_DIR / "results"
REPORT_LUA = BENCH_DIR / "lua" / "report.lua"
DEFAULT_CACHE = Path(os.environ.get("LMS_BENCH_CACHE", "/var/tmp/lms-bench"))

# Public, for the throwaway bench databases only: the servers run with LMS_ENV=production, which
# takes no key with less than 32 bytes of randomness.
SECRET_KEY = "377c629692631678f2d425d6df50f3563e2d4790509fb34216fc961f22a9e18e"
DEMO_PASSWORD = "demo-password"
DEMO_DOMAIN = "@demo.example"
INSTRUCTOR_EMAIL = "bench-instructor@example.org"
WORKERS = 2
MAX_FAILURE_RATE = 0.01
# The database is rebuilt when any of these change (schema, cohort simulation or the course pack).
FINGERPRINT_GLOBS = [
    "migrations/versions/*.py",
    "lms/models/*.py",
    "lms/services/demo.py",
    "lms/domain/simulation.py",
    "lms/domain/questions/*.py",
    "content/course.yaml",
    "quizzes/*.yaml",
]

_started = time.perf_counter()


def elapsed() -> float:
    """Seconds since the benchmark started."""
    return time.perf_counter() - _started


def log(message: str) -> None:
    """Print a progress line with the time since the start, to stderr."""
    print(f"[{elapsed():7.1f}s] {message}", file=sys.stderr, flush=True)


class BenchError(RuntimeError):
    """The benchmark cannot produce meaningful numbers (a page failed, a server did not start...)."""
