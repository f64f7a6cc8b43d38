"""Load: wrk on the read paths, the roster CSV download, and whole quiz attempts from threads."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import queue
import random
import shutil
import sqlite3
import statistics
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import urls
from .client import Client, FormFields, quiz_answers, sign_in
from .common import DEMO_PASSWORD, MAX_FAILURE_RATE, REPORT_LUA, BenchError, log
from .servers import Server


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
    only as many as the measured rate needs. Sessions are stored in the database, and each run starts
    from a fresh copy of it: a run's sessions are of no use to the next (reusing them got 400s).
    """

    def __init__(self, port: int, lesson: str, candidates: list[tuple[str, int]]):
        self.port, self.lesson = port, lesson
        self.waiting = list(candidates)
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
        client = sign_in(self.port, email, DEMO_PASSWORD)
        page = client.request("GET", urls.quiz(self.lesson))
        if page.status != 200:
            raise BenchError(f"GET {urls.quiz(self.lesson)} as {email} answered {page.status}")
        # Flask-WTF keeps one CSRF secret per session: this token is good for every form of the session.
        token = FormFields(page.body).csrf_token()
        return QuizSession(client, token, left)


def one_attempt(session: QuizSession, lesson: str) -> tuple[int | None, str | None]:
    """Start an attempt, open it, submit a full answer set: (attempt id, None) or (None, what failed)."""
    client = session.client
    start = client.request("POST", urls.start_attempt(lesson), [("csrf_token", session.token)])
    attempt_id = urls.attempt_id(start.location)
    if start.status != 303 or attempt_id is None or start.location != urls.attempt(attempt_id):
        return None, f"start answered {start.status} {start.location}"
    page = client.request("GET", start.location)
    if page.status != 200:
        return None, f"attempt page answered {page.status}"
    submit = client.request("POST", start.location, quiz_answers(page.body))
    if submit.status != 303 or submit.location != urls.result(attempt_id):
        return None, f"submit answered {submit.status} {submit.location}"
    return attempt_id, None


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
        page = session.client.request("GET", urls.result(attempt_id))
        if page.status != 200 or b"%" not in page.body:
            raise BenchError(f"result page of attempt {attempt_id} answered {page.status}")
        checked += 1
    if graded != len(ids):
        raise BenchError(f"only {graded} of {len(ids)} submitted attempts are graded in the database")
    return {"graded_in_database": graded, "result_pages_checked": checked}
