"""Benchmark every user-facing path of the course app against the bare-Flask limit.

For each cohort size it builds (or reuses) a SQLite database filled by `lms demo`, serves the
app and a bare Flask "hello" app under the same gunicorn settings, drives both with wrk (and a
small threaded client for the quiz, a write that needs each attempt's own form), counts the SQL
statements of each path in-process, and prints one table per size. Results go to
bench/results/ as JSON (untracked).

    .venv/bin/python bench/run.py --quick           # 1,000 learners, short runs (about 1 min)
    .venv/bin/python bench/run.py                   # 1,000, 10,000 and 50,000 learners
    .venv/bin/python bench/run.py --sizes 10000 --runs 3 --duration 10

See bench/README.md for what each row measures.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import http.client
import json
import os
import platform
import queue
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
BIN = ROOT / ".venv" / "bin"
RESULTS_DIR = BENCH_DIR / "results"
REPORT_LUA = BENCH_DIR / "lua" / "report.lua"
DEFAULT_CACHE = Path(os.environ.get("LMS_BENCH_CACHE", "/var/tmp/lms-bench"))

SECRET_KEY = "bench-secret-key-not-for-production"
DEMO_PASSWORD = "demo-password"
DEMO_DOMAIN = "@demo.example"
INSTRUCTOR_EMAIL = "bench-instructor@example.org"
WORKERS = 2
MAX_FAILURE_RATE = 0.01
# The database is rebuilt when any of these change (schema, cohort simulation or the course pack).
FINGERPRINT_GLOBS = [
    "migrations/versions/*.py",
    "lms/models.py",
    "lms/services/demo.py",
    "lms/domain/simulation.py",
    "lms/domain/questions/*.py",
    "content/course.yaml",
    "quizzes/*.yaml",
]

_started = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _started:7.1f}s] {message}", file=sys.stderr, flush=True)


class BenchError(RuntimeError):
    """The benchmark cannot produce meaningful numbers (a page failed, a server did not start...)."""


# --- tools and the database -------------------------------------------------------------------


def ensure_wrk() -> None:
    """Install wrk from the distribution's packages when it is missing."""
    if shutil.which("wrk"):
        return
    log("wrk is missing: apt-get install -y wrk")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "wrk"]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, capture_output=True, check=False)
        if subprocess.run(install, env=env).returncode != 0:
            raise BenchError("could not install wrk; install it (apt-get install wrk) and run again")
    if not shutil.which("wrk"):
        raise BenchError("wrk is still not on PATH after apt-get install")


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
    command = [str(BIN / "flask"), "--app", "app", *args]
    result = subprocess.run(command, cwd=ROOT, env=app_env(db_path), capture_output=True, text=True)
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


# --- servers ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def child_pids(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    children.append(int(stat.parent.name))
        return children


class Server:
    """A gunicorn server in its own process group: 2 sync workers, no access log."""

    def __init__(self, name: str, app: str, chdir: Path, env: dict[str, str], log_path: Path):
        self.name, self.app, self.chdir, self.env, self.log_path = name, app, chdir, env, log_path
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.port = free_port()
        command = [
            str(BIN / "gunicorn"),
            "--workers", str(WORKERS),
            "--worker-class", "sync",
            "--bind", f"127.0.0.1:{self.port}",
            "--timeout", "120",
            "--chdir", str(self.chdir),
            "--error-logfile", str(self.log_path),
            "--log-level", "warning",
            self.app,
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"{self.name} server exited at start-up:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                if Client(self.port).request("GET", "/").status == 200 and len(self.workers()) == WORKERS:
                    return
            time.sleep(0.2)
        raise BenchError(f"{self.name} server did not answer within 60 s:\n{self.log_tail()}")

    def workers(self) -> list[int]:
        return child_pids(self.process.pid) if self.process else []

    def log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-30:])
        return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


# --- a small HTTP client: cookies, forms, no automatic redirects ---------------------------------


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def location(self) -> str:
        return urllib.parse.urlsplit(self.headers.get("Location", "")).path


class Client:
    """One browser session against 127.0.0.1:port."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method: str, path: str, form: list[tuple[str, str]] | None = None) -> Reply:
        headers = {"User-Agent": "lms-bench"}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = self.cookie_header
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            reply = Reply(response.status, response.headers, response.read())
        finally:
            connection.close()
        for cookie in reply.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value, attributes = rest.split(";", 1)[0], rest.lower()
            if not value or "max-age=0" in attributes or "01 jan 1970" in attributes:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return reply


class FormFields(HTMLParser):
    """The inputs and selects of a page (enough to fill the sign-in and quiz forms)."""

    def __init__(self, page: bytes):
        super().__init__()
        self.inputs: list[dict[str, str]] = []
        self.selects: dict[str, list[str]] = {}
        self._select: str | None = None
        self.feed(page.decode("utf-8", errors="replace"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "input":
            self.inputs.append(attributes)
        elif tag == "select":
            self._select = attributes.get("name", "")
            self.selects[self._select] = []
        elif tag == "option" and self._select is not None:
            self.selects[self._select].append(attributes.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None

    def csrf_token(self, required: bool = True) -> str | None:
        for attributes in self.inputs:
            if attributes.get("name") == "csrf_token":
                return attributes.get("value", "")
        if required:
            raise BenchError("no csrf_token on the page")
        return None  # CSRF protection off (the in-process statement count)


QUESTION_FIELD = re.compile(r"^q(\d+)(?:-.+)?$")


def quiz_answers(page: bytes) -> list[tuple[str, str]]:
    """A complete, valid answer set for an attempt page: the first option of each choice question,
    distinct positions for ordering items, distinct matches for matching terms."""
    fields = FormFields(page)
    token = fields.csrf_token(required=False)
    answers = [("csrf_token", token)] if token is not None else []
    answered: set[str] = set()
    for attributes in fields.inputs:
        name = attributes.get("name", "")
        if QUESTION_FIELD.match(name) and attributes.get("type") in {"radio", "checkbox"} and name not in answered:
            answers.append((name, attributes.get("value", "")))
            answered.add(name)
    index_in_question: dict[str, int] = {}
    for name, values in fields.selects.items():
        found = QUESTION_FIELD.match(name)
        if not found:
            continue
        index = index_in_question.get(found.group(1), 0)
        index_in_question[found.group(1)] = index + 1
        choices = [value for value in values if value]
        answers.append((name, choices[index % len(choices)]))
    if len(answers) <= 1:
        raise BenchError("the attempt page has no questions")
    return answers


def sign_in(port: int, email: str, password: str) -> Client:
    """Sign in through the real form (CSRF token and all); the client keeps the session cookie."""
    client = Client(port)
    page = client.request("GET", "/account/login")
    if page.status != 200:
        raise BenchError(f"GET /account/login answered {page.status}")
    form = [("csrf_token", FormFields(page.body).csrf_token()), ("email", email), ("password", password), ("next", "")]
    reply = client.request("POST", "/account/login", form)
    if reply.status != 302 or "session" not in client.cookies:
        raise BenchError(f"signing in as {email} answered {reply.status} (expected 302 with a session cookie)")
    if client.request("GET", "/").status != 200:  # shows the "Signed in" message once, as a browser would
        raise BenchError(f"GET / after signing in as {email} failed")
    return client


# --- measurements -----------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def wrk(url: str, duration: float, threads: int, connections: int, cookie: str | None = None) -> dict:
    """Run wrk with the reporting script; return throughput, latency percentiles and failures."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", "--timeout", "60s", "--latency"]
    command += ["-s", str(REPORT_LUA)]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(url)
    result = subprocess.run(command, capture_output=True, text=True, timeout=duration + 180)
    line = next((line for line in result.stdout.splitlines() if line.startswith("BENCH_JSON ")), None)
    if result.returncode != 0 or line is None:
        raise BenchError(f"wrk failed on {url}:\n{result.stdout}\n{result.stderr}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    errors = data["errors"]
    socket_errors = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
    latency = data["latency_us"]
    return {
        "requests": data["requests"],
        "seconds": round(data["duration_us"] / 1e6, 3),
        "rps": data["requests"] / (data["duration_us"] / 1e6),
        "p50_ms": latency["p50"] / 1000,
        "p95_ms": latency["p95"] / 1000,
        "p99_ms": latency["p99"] / 1000,
        "mean_ms": latency["mean"] / 1000,
        "max_ms": latency["max"] / 1000,
        "non2xx": data["non2xx"],
        "first_bad_status": data["first_bad_status"],
        "socket_errors": socket_errors,
        "concurrency": connections,
        "wrk_output": [line for line in result.stdout.splitlines() if not line.startswith("BENCH_JSON ")],
    }


def failure_problem(name: str, result: dict) -> str | None:
    """Describe the failures of a measurement when they pass the threshold, else None."""
    total = max(result["requests"], 1)
    failed = result["non2xx"] + result["socket_errors"]
    if failed / total > MAX_FAILURE_RATE:
        return (
            f"{name}: {failed} of {total} requests failed ({result['non2xx']} not 2xx, first status "
            f"{result.get('first_bad_status')}; {result['socket_errors']} socket errors)"
        )
    if failed:
        log(f"warning: {name}: {failed} of {total} requests failed (under the 1% limit)")
    return None


def read_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (kB) and CPU ticks of a process."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in {"VmRSS", "VmHWM"}:
            values[key] = int(rest.split()[0])
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    values["cpu_ticks"] = int(fields[11]) + int(fields[12])  # utime + stime
    return values


def reset_peak(pid: int) -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False if not allowed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def stream_csv(client: Client, path: str) -> tuple[int, int, int, float]:
    """GET a streamed download chunk by chunk: (status, bytes, lines, seconds to the last byte)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", client.port, timeout=300)
    try:
        connection.request("GET", path, headers={"Cookie": client.cookie_header, "User-Agent": "lms-bench"})
        response = connection.getresponse()
        size = lines = 0
        while chunk := response.read(65536):
            size += len(chunk)
            lines += chunk.count(b"\n")
        return response.status, size, lines, time.perf_counter() - started
    finally:
        connection.close()


def csv_export(server: Server, client: Client, path: str, repeats: int) -> dict:
    """Time to last byte of the roster CSV, and the peak RSS growth of the worker that served it."""
    workers = server.workers()
    times, growth, served_by, statuses = [], [], [], []
    size = lines = 0
    method = "VmHWM after - VmRSS before (peak reset through clear_refs)"
    for _ in range(repeats):
        reset = all([reset_peak(pid) for pid in workers])
        if not reset:
            method = "VmHWM after - VmHWM before (clear_refs not allowed: growth past the earlier peak only)"
        before = {pid: read_status(pid) for pid in workers}
        status, size, lines, seconds = stream_csv(client, path)
        after = {pid: read_status(pid) for pid in workers}
        statuses.append(status)
        times.append(seconds)
        serving = max(workers, key=lambda pid: after[pid]["cpu_ticks"] - before[pid]["cpu_ticks"])
        baseline_kb = before[serving]["VmRSS"] if reset else before[serving]["VmHWM"]
        growth.append(max(0, after[serving]["VmHWM"] - baseline_kb) / 1024)
        served_by.append(serving)
    bad = sum(1 for status in statuses if not 200 <= status < 300)
    return {
        "requests": repeats,
        "seconds": round(sum(times), 3),
        "rps": repeats / sum(times),
        "p50_ms": statistics.median(times) * 1000,
        "p95_ms": percentile(times, 95) * 1000,
        "p99_ms": percentile(times, 99) * 1000,
        "ttlb_ms": [round(t * 1000, 1) for t in times],
        "rss_growth_mb": round(statistics.median(growth), 1),
        "rss_growth_each_mb": [round(g, 1) for g in growth],
        "rss_growth_max_mb": round(max(growth), 1),
        "rss_method": method,
        "served_by": served_by,
        "bytes": size,
        "rows": max(0, lines - 1),
        "non2xx": bad,
        "first_bad_status": next((s for s in statuses if not 200 <= s < 300), 0),
        "socket_errors": 0,
        "concurrency": 1,
    }


@dataclass
class QuizSession:
    client: Client
    token: str
    attempts_left: int
    attempts: list[int] = field(default_factory=list)


class QuizPool:
    """Signed-in learners with attempts left at the quiz, handed out one at a time.

    Learners sign in through the real form, which is slow on purpose (scrypt), so the pool signs in
    only as many as the measured rate needs, and `signed_in` keeps their sessions for the next run
    of the same size (each run starts from a fresh copy of the same database, so the cookies stay valid).
    """

    def __init__(self, port: int, lesson: str, candidates: list[tuple[str, int]], signed_in: dict):
        self.port, self.lesson = port, lesson
        self.waiting = list(candidates)
        self.signed_in = signed_in
        self.queue: queue.Queue[QuizSession] = queue.Queue()
        self.sessions = 0

    def attempts_left(self) -> int:
        return sum(session.attempts_left for session in list(self.queue.queue))

    def grow(self, attempts_wanted: int) -> int:
        """Sign in learners until the pool holds `attempts_wanted` attempts (or no one is left)."""
        batch, have = [], self.attempts_left()
        while self.waiting and have < attempts_wanted:
            batch.append(self.waiting.pop(0))
            have += batch[-1][1]
        with ThreadPoolExecutor(max_workers=4) as executor:
            for session in executor.map(self._session, batch):
                self.queue.put(session)
        self.sessions += len(batch)
        return len(batch)

    def _session(self, candidate: tuple[str, int]) -> QuizSession:
        email, left = candidate
        if email in self.signed_in:
            client, token = self.signed_in[email]
            client.port = self.port
            return QuizSession(client, token, left)
        client = sign_in(self.port, email, DEMO_PASSWORD)
        page = client.request("GET", f"/quizzes/{self.lesson}")
        if page.status != 200:
            raise BenchError(f"GET /quizzes/{self.lesson} as {email} answered {page.status}")
        # Flask-WTF keeps one CSRF secret per session: this token is good for every form of the session.
        token = FormFields(page.body).csrf_token()
        self.signed_in[email] = (client, token)
        return QuizSession(client, token, left)


def one_attempt(session: QuizSession, lesson: str) -> tuple[int | None, str | None]:
    """Start an attempt, open it, submit a full answer set: (attempt id, None) or (None, what failed)."""
    client = session.client
    start = client.request("POST", f"/quizzes/{lesson}/attempts", [("csrf_token", session.token)])
    found = re.fullmatch(r"/attempts/(\d+)", start.location)
    if start.status != 303 or not found:
        return None, f"start answered {start.status} {start.location}"
    page = client.request("GET", start.location)
    if page.status != 200:
        return None, f"attempt page answered {page.status}"
    submit = client.request("POST", start.location, quiz_answers(page.body))
    if submit.status != 303 or submit.location != f"{start.location}/result":
        return None, f"submit answered {submit.status} {submit.location}"
    return int(found.group(1)), None


def quiz_load(pool: queue.Queue, lesson: str, duration: float, concurrency: int) -> tuple[dict, list[QuizSession]]:
    """Whole graded attempts (start + open + submit) from `concurrency` threads for `duration` s."""
    times: list[float] = []
    failures: list[str] = []
    used: dict[int, QuizSession] = {}
    lock = threading.Lock()
    exhausted = threading.Event()
    started = time.perf_counter()
    stop_at = started + duration

    def worker() -> None:
        while time.perf_counter() < stop_at:
            try:
                session = pool.get_nowait()
            except queue.Empty:
                exhausted.set()
                return
            begun = time.perf_counter()
            try:
                attempt_id, problem = one_attempt(session, lesson)
            except (OSError, http.client.HTTPException, BenchError) as error:
                attempt_id, problem = None, f"{type(error).__name__}: {error}"
            finished = time.perf_counter()
            session.attempts_left -= 1
            with lock:
                if problem:
                    failures.append(problem)
                else:
                    times.append(finished - begun)
                    session.attempts.append(attempt_id)
                used[id(session)] = session
            if session.attempts_left > 0 and not problem:
                pool.put(session)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if not times:
        raise BenchError(f"no quiz attempt succeeded: {failures[:3]}")
    result = {
        "requests": len(times) + len(failures),
        "seconds": round(elapsed, 3),
        "rps": len(times) / elapsed,
        "p50_ms": percentile(times, 50) * 1000,
        "p95_ms": percentile(times, 95) * 1000,
        "p99_ms": percentile(times, 99) * 1000,
        "mean_ms": statistics.fmean(times) * 1000,
        "non2xx": len(failures),
        "first_bad_status": 0,
        "failures": failures[:10],
        "socket_errors": 0,
        "concurrency": concurrency,
        "learners_used": len(used),
        "pool_exhausted": exhausted.is_set(),
    }
    return result, list(used.values())


def verify_attempts(db_path: Path, sessions: list[QuizSession], sample: int, rng: random.Random) -> dict:
    """Check that the attempts counted as done are graded in the database and their results show."""
    ids = [attempt_id for session in sessions for attempt_id in session.attempts]
    with contextlib.closing(sqlite3.connect(db_path)) as connection:
        graded = 0
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            graded += connection.execute(
                f"SELECT count(*) FROM attempts WHERE id IN ({marks}) "
                "AND submitted_at IS NOT NULL AND score IS NOT NULL",
                chunk,
            ).fetchone()[0]
    owners = [(session, attempt_id) for session in sessions for attempt_id in session.attempts]
    checked = 0
    for session, attempt_id in rng.sample(owners, min(sample, len(owners))):
        page = session.client.request("GET", f"/attempts/{attempt_id}/result")
        if page.status != 200 or b"%" not in page.body:
            raise BenchError(f"result page of attempt {attempt_id} answered {page.status}")
        checked += 1
    if graded != len(ids):
        raise BenchError(f"only {graded} of {len(ids)} submitted attempts are graded in the database")
    return {"graded_in_database": graded, "result_pages_checked": checked}


# --- SQL statements per request (in-process, Flask test client) ----------------------------------


def statement_counts(db_path: Path, subjects: Subjects, lesson: str, quiz_email: str | None) -> dict[str, dict]:
    """Count the SQL statements of one request per path (first and second request: cold and warm)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("SECRET_KEY", SECRET_KEY)  # so that create_app never writes instance/secret_key
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
        for key, _label, who, path in read_paths(subjects, lesson):
            first, cold = counted(who, "GET", path)
            second, warm = counted(who, "GET", path)
            if first.status_code != 200 or second.status_code != 200:
                raise BenchError(f"in-process GET {path} as {who} answered {first.status_code}/{second.status_code}")
            counts[key] = {"warm": warm, "cold": cold, "sql": sql()}
        if quiz_email:
            steps, texts = {}, {}
            start, steps["start"] = counted("quiz", "POST", f"/quizzes/{lesson}/attempts")
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
        response, n_csv = counted("instructor", "GET", "/instructor/export/roster.csv")
        if response.status_code != 200:
            raise BenchError(f"in-process CSV export answered {response.status_code}")
        counts["csv"] = {"warm": n_csv, "cold": n_csv, "sql": sql()}
    finally:
        event.remove(engine, "before_cursor_execute", record)
        with app.app_context():
            db.engine.dispose()
    return counts


# --- one run at one size ------------------------------------------------------------------------


def read_paths(subjects: Subjects, lesson: str) -> list[tuple[str, str, str, str]]:
    """(key, label, who, path) of every page measured with wrk."""
    return [
        ("outline", "outline (anonymous GET /)", "anonymous", "/"),
        ("lesson", f"lesson page (learner, /lessons/{lesson})", "learner", f"/lessons/{lesson}"),
        ("dashboard", "learner dashboard (/dashboard)", "learner", "/dashboard"),
        ("roster", "roster p1 by readiness (instructor)", "instructor", "/instructor/?sort=readiness&dir=desc"),
        (
            "review",
            f"learner review ({subjects.busy_attempts} attempts)",
            "instructor",
            f"/instructor/learners/{subjects.busy_enrollment_id}",
        ),
        ("analysis", f"quiz analysis (/instructor/quizzes/{lesson})", "instructor", f"/instructor/quizzes/{lesson}"),
    ]


@dataclass
class Options:
    duration: float
    warmup: float
    threads: int
    connections: int
    lesson: str
    quiz_attempts: int
    csv_repeats: int
    summary_repeats: int
    cache_dir: Path
    keep: bool


def one_run(
    size: int, db_path: Path, meta: dict, options: Options, run_dir: Path, signed_in: dict, count_statements: bool
) -> dict:
    """Serve a fresh copy of the database and measure every path once."""
    from lms.domain.loading import load_course_pack

    max_attempts = load_course_pack(ROOT).quiz.max_attempts
    work_db = run_dir / f"lms-{size}.sqlite3"
    remove_database(work_db)
    shutil.copyfile(db_path, work_db)  # quiz submissions write: every run starts from the same data
    subjects = pick_subjects(work_db)
    results: dict[str, dict] = {}
    problems: list[str] = []
    app_server = Server("app", "app:app", ROOT, app_env(work_db), run_dir / f"app-{size}.log")
    hello_server = Server("hello", "hello_app:app", BENCH_DIR, app_env(work_db), run_dir / f"hello-{size}.log")
    try:
        app_server.start()
        hello_server.start()
        log(f"app on {app_server.base}, bare Flask on {hello_server.base}")

        def measured(name: str, url: str, cookie: str | None, threads: int, connections: int) -> dict:
            wrk(url, options.warmup, threads, connections, cookie)  # both workers warm: templates, caches
            result = wrk(url, options.duration, threads, connections, cookie)
            problem = failure_problem(name, result)
            if problem:
                problems.append(problem)
            log(f"{name}: {result['rps']:.1f} req/s, p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms")
            return result

        baseline = {
            "c1": measured("baseline c1", hello_server.base + "/", None, 1, 1),
            "c4": measured(f"baseline c{options.connections}", hello_server.base + "/", None, options.threads,
                           options.connections),
        }  # fmt: skip

        clients = {
            "anonymous": Client(app_server.port),
            "learner": sign_in(app_server.port, subjects.learner_email, DEMO_PASSWORD),
            "instructor": sign_in(app_server.port, meta["instructor_email"], meta["instructor_password"]),
        }
        for key, label, who, path in read_paths(subjects, options.lesson):
            check = clients[who].request("GET", path)
            if check.status != 200:
                raise BenchError(f"GET {path} as {who} answered {check.status} {check.location}: not benchmarked")
            cookie = clients[who].cookie_header or None
            results[key] = {"label": label, "path": path, "who": who}
            results[key] |= measured(label, app_server.base + path, cookie, options.threads, options.connections)

        repeats = options.summary_repeats if size <= 1000 else options.csv_repeats
        label = "roster CSV export, time to last byte"
        if size == 1000:
            label = "full-class summary (roster CSV, 1,000)"
        path = "/instructor/export/roster.csv"
        csv = csv_export(app_server, clients["instructor"], path, repeats)
        results["csv"] = {"label": label, "path": path, "who": "instructor"} | csv
        if problem := failure_problem(label, csv):
            problems.append(problem)
        log(f"{label}: p50 {csv['p50_ms']:.0f} ms, {csv['rows']} rows, worker peak RSS +{csv['rss_growth_each_mb']} MB")

        # The only write, last: it adds attempts, which would change what the pages above read.
        candidates = quiz_candidates(work_db, options.lesson, max_attempts, subjects.busy_enrollment_id)
        if len(candidates) < 2:
            raise BenchError("fewer than 2 demo learners have quiz attempts left")
        quiz_email = candidates.pop()[0]  # kept fresh for the in-process statement count
        label = f"quiz start + submit ({options.lesson}, whole attempt)"
        pool = QuizPool(app_server.port, options.lesson, candidates, signed_in)
        pool.grow(6 * options.connections)
        warm, _ = quiz_load(pool.queue, options.lesson, max(options.warmup, 1.0), options.connections)
        wanted = int(warm["rps"] * options.duration * 2) + 6 * options.connections
        if options.quiz_attempts:
            wanted = options.quiz_attempts
        log(f"quiz warm-up: {warm['rps']:.1f} attempts/s; making sure the signed-in learners have {wanted} left")
        pool.grow(wanted)
        quiz, used = quiz_load(pool.queue, options.lesson, options.duration, options.connections)
        quiz["verified"] = verify_attempts(work_db, used, 10, random.Random(size))
        quiz["learners_in_pool"] = pool.sessions
        results["quiz"] = {"label": label, "path": f"POST /quizzes/{options.lesson}/attempts", "who": "learner"} | quiz
        if problem := failure_problem(label, quiz):
            problems.append(problem)
        if quiz["pool_exhausted"]:
            log("warning: the quiz learners ran out of attempts before the end (raise --quiz-attempts)")
        log(f"{label}: {quiz['rps']:.1f} attempts/s, p50 {quiz['p50_ms']:.0f} ms, p95 {quiz['p95_ms']:.0f} ms")
    finally:
        app_server.stop()
        hello_server.stop()

    statements = statement_counts(work_db, subjects, options.lesson, quiz_email) if count_statements else {}
    if not options.keep:
        remove_database(work_db)
    return {"baseline": baseline, "endpoints": results, "statements": statements, "problems": problems,
            "subjects": subjects.__dict__}  # fmt: skip


# --- results ------------------------------------------------------------------------------------

ORDER = ["outline", "lesson", "dashboard", "quiz", "roster", "review", "analysis", "csv"]
MEDIAN_FIELDS = ["rps", "p50_ms", "p95_ms", "p99_ms", "rss_growth_mb", "rss_growth_max_mb"]


def summarize(samples: list[dict]) -> dict:
    """Medians over runs of the numeric fields; totals of requests and failures; each run kept."""
    summary = {name: statistics.median(s[name] for s in samples) for name in MEDIAN_FIELDS if name in samples[0]}
    summary["requests"] = sum(s["requests"] for s in samples)
    summary["non2xx"] = sum(s["non2xx"] for s in samples)
    summary["socket_errors"] = sum(s["socket_errors"] for s in samples)
    summary["concurrency"] = samples[0]["concurrency"]
    summary["runs"] = [{k: v for k, v in s.items() if k not in {"label", "path", "who"}} for s in samples]
    return summary


def aggregate(size: int, meta: dict, runs: list[dict], options: Options) -> dict:
    baseline = {key: summarize([run["baseline"][key] for run in runs]) for key in ("c1", "c4")}
    endpoints = {}
    for key in ORDER:
        samples = [run["endpoints"][key] for run in runs if key in run["endpoints"]]
        if not samples:
            continue
        summary = {name: samples[0][name] for name in ("label", "path", "who")} | summarize(samples)
        reference = baseline["c1"] if summary["concurrency"] == 1 else baseline["c4"]
        summary["baseline_rps"] = reference["rps"]
        summary["ratio"] = reference["rps"] / summary["rps"]
        summary["statements"] = runs[0]["statements"].get(key)
        endpoints[key] = summary
    return {
        "size": size,
        "database": {k: v for k, v in meta.items() if k != "instructor_password"},
        "subjects": runs[0]["subjects"],
        "settings": {
            "runs": len(runs),
            "duration_s": options.duration,
            "warmup_s": options.warmup,
            "wrk": f"-t{options.threads} -c{options.connections}",
            "gunicorn": f"{WORKERS} sync workers, no access log",
            "quiz_lesson": options.lesson,
            "quiz_threads": options.connections,
        },
        "baseline": baseline,
        "endpoints": endpoints,
        "problems": [problem for run in runs for problem in run["problems"]],
    }


def number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def statements_cell(counts: dict | None) -> str:
    if not counts:
        return "–"
    if "steps" in counts:
        steps = counts["steps"]
        return f"{counts['warm']} ({steps['start']}+{steps['page']}+{steps['submit']})"
    return str(counts["warm"]) if counts["warm"] == counts["cold"] else f"{counts['warm']} (first {counts['cold']})"


def notes_cell(key: str, result: dict) -> str:
    if key == "csv":
        first = result["runs"][0]
        return (
            f"{first['rows']:,} rows, {first['bytes'] / 1e6:.1f} MB; worker peak RSS +{result['rss_growth_max_mb']} MB "
            f"at most, +{result['rss_growth_mb']} MB median"
        )
    if key == "quiz":
        notes = f"{sum(r['requests'] - r['non2xx'] for r in result['runs']):,} attempts graded"
        if any(r["pool_exhausted"] for r in result["runs"]):
            notes += "; learner pool ran out"
        return notes
    return ""


def format_table(result: dict) -> str:
    settings, baseline = result["settings"], result["baseline"]
    c1, c4 = baseline["c1"], baseline["c4"]
    lines = [
        f"### {result['size']:,} learners",
        "",
        f"Medians of {settings['runs']} run(s); wrk {settings['wrk']}, {settings['duration_s']:g} s per path after "
        f"{settings['warmup_s']:g} s warm-up; gunicorn {settings['gunicorn']}; SQLite, ANALYZEd.",
        f'Bare-Flask "hello": 1 connection {number(c1["rps"])} req/s (p50 {c1["p50_ms"]:.2f} ms, '
        f"p95 {c1['p95_ms']:.2f} ms); {c4['concurrency']} connections {number(c4['rps'])} req/s "
        f"(p50 {c4['p50_ms']:.2f} ms, p95 {c4['p95_ms']:.2f} ms).",
        "",
        "| endpoint | conc | req/s | p50 ms | p95 ms | statements/request | vs baseline | notes |",
        "|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    for key, row in result["endpoints"].items():
        lines.append(
            f"| {row['label']} | {row['concurrency']} | {number(row['rps'])} | {row['p50_ms']:.1f} | "
            f"{row['p95_ms']:.1f} | {statements_cell(row['statements'])} | 1/{row['ratio']:.0f} | "
            f"{notes_cell(key, row)} |"
        )
    lines += [
        "",
        "conc: concurrent connections (the CSV rows are sequential and compare with the 1-connection baseline). "
        "Quiz: one request = start (POST) + attempt page (GET) + submit (POST, graded, 303 to the result). "
        "statements/request: a repeated request (first request in brackets when it differs).",
    ]
    return "\n".join(lines)


def machine_facts() -> dict:
    def output(command: list[str]) -> str:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=30)
            return (result.stdout or result.stderr).strip()
        return ""

    return {
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "wrk": output(["wrk", "--version"]).splitlines()[0] if output(["wrk", "--version"]) else "",
        "gunicorn": output([str(BIN / "gunicorn"), "--version"]),
        "commit": output(["git", "rev-parse", "--short", "HEAD"]),
        "uncommitted_changes": bool(output(["git", "status", "--porcelain", "--untracked-files=no"])),
    }


# --- command line -------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Measure every user-facing path of the app against a bare Flask app under the same gunicorn.",
        epilog="Example: .venv/bin/python bench/run.py --quick",
    )
    parser.add_argument("--sizes", default="1000,10000,50000", help="cohort sizes, comma-separated (%(default)s)")
    parser.add_argument("--quick", action="store_true", help="1,000 learners only, 3 s per path, 1 s warm-up")
    parser.add_argument("--duration", type=float, help="seconds per path (default 10; 3 with --quick)")
    parser.add_argument("--warmup", type=float, help="seconds of discarded load before each path (default 2; 1 quick)")
    parser.add_argument("--runs", type=int, default=1, help="repeat each size and report medians (default 1)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections (default 4)")
    parser.add_argument("--lesson", default="hipaa", help="lesson of the lesson, quiz and analysis rows (hipaa)")
    parser.add_argument(
        "--quiz-attempts", type=int, help="quiz attempts to have ready (default: 2 x the warm-up rate x duration)"
    )
    parser.add_argument("--csv-repeats", type=int, default=3, help="roster CSV downloads per run (default 3)")
    parser.add_argument("--summary-repeats", type=int, default=20, help="CSV downloads at 1,000 learners (20)")
    parser.add_argument("--seed", type=int, default=1, help="seed of `lms demo` (default 1)")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE, help="databases and scratch (%(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the run's database copy and server logs")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = "1000"
    args.duration = args.duration or (3.0 if args.quick else 10.0)
    args.warmup = args.warmup if args.warmup is not None else (1.0 if args.quick else 2.0)
    try:
        args.size_list = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    except ValueError:
        parser.error("--sizes takes whole numbers, e.g. 1000,10000,50000")
    if not args.size_list or min(args.size_list) < 10 or args.runs < 1 or args.connections < args.threads:
        parser.error("need sizes of 10 or more, --runs >= 1 and --connections >= --threads")
    return args


def _exit_on_signal(signum, frame) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks that stop the servers


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)
    if not (BIN / "gunicorn").exists():
        log(f"{BIN / 'gunicorn'} is missing: run `make venv` first")
        return 2
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    options = Options(
        duration=args.duration,
        warmup=args.warmup,
        threads=args.threads,
        connections=args.connections,
        lesson=args.lesson,
        quiz_attempts=args.quiz_attempts,
        csv_repeats=args.csv_repeats,
        summary_repeats=max(args.summary_repeats, args.csv_repeats),
        cache_dir=args.cache_dir,
        keep=args.keep,
    )
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    run_dir = args.cache_dir / f"run-{stamp}-{os.getpid()}"
    problems: list[str] = []
    everything: dict = {"started_at": stamp, "machine": {}, "sizes": {}}
    try:
        ensure_wrk()
        everything["machine"] = machine_facts()
        run_dir.mkdir(parents=True, exist_ok=True)
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        for size in args.size_list:
            db_path, meta = cached_database(size, args.seed, args.cache_dir)
            runs, signed_in = [], {}
            for number_ in range(1, args.runs + 1):
                log(f"{size:,} learners: run {number_} of {args.runs}")
                runs.append(one_run(size, db_path, meta, options, run_dir, signed_in, count_statements=number_ == 1))
            result = aggregate(size, meta, runs, options)
            result["machine"] = everything["machine"] | {"load_average_after": os.getloadavg()}
            print(format_table(result) + "\n", flush=True)
            (RESULTS_DIR / f"{stamp}-{size}.json").write_text(json.dumps(result, indent=2))
            everything["sizes"][str(size)] = result
            (RESULTS_DIR / "latest.json").write_text(json.dumps(everything, indent=2))
            problems += result["problems"]
    except BenchError as error:
        log(f"FAILED: {error}")
        return 2
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        if args.keep:
            log(f"kept {run_dir}")
        else:
            shutil.rmtree(run_dir, ignore_errors=True)
    log(f"results in {RESULTS_DIR.relative_to(ROOT)}/ ({stamp}-<size>.json, latest.json)")
    if problems:
        log("FAILED: more than 1% of the requests failed:\n  " + "\n  ".join(problems))
        return 1
    log(f"done in {time.perf_counter() - _started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
