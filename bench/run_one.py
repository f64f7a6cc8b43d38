"""One run at one size: serve a fresh copy of the database and measure every path once."""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import urls
from .client import Client, sign_in
from .common import DEMO_PASSWORD, ROOT, BenchError, log
from .dataset import app_env, pick_subjects, quiz_candidates, remove_database
from .load import QuizPool, csv_export, failure_problem, quiz_load, verify_attempts, wrk
from .servers import Server
from .statements import statement_counts


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


def one_run(size: int, db_path: Path, meta: dict, options: Options, run_dir: Path, count_statements: bool) -> dict:
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
    hello_server = Server("hello", "bench.hello_app:app", ROOT, app_env(work_db), run_dir / f"hello-{size}.log")
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
        for key, label, who, path in urls.read_paths(subjects, options.lesson):
            check = clients[who].request("GET", path)
            if check.status != 200:
                raise BenchError(f"GET {path} as {who} answered {check.status} {check.location}: not benchmarked")
            cookie = clients[who].cookie_header or None
            # The baseline again, just before the page: on a shared machine "hello" moved by half within
            # minutes while the pages held steady, so a ratio compares two measurements seconds apart.
            adjacent = measured("  baseline just before", hello_server.base + "/", None, options.threads,
                                options.connections)  # fmt: skip
            results[key] = {"label": label, "path": path, "who": who}
            results[key] |= measured(label, app_server.base + path, cookie, options.threads, options.connections)
            results[key]["adjacent_baseline_rps"] = adjacent["rps"]

        repeats = options.summary_repeats if size <= 1000 else options.csv_repeats
        label = "roster CSV export, time to last byte"
        if size == 1000:
            label = "full-class summary (roster CSV, 1,000)"
        path = urls.ROSTER_CSV
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
        pool = QuizPool(app_server.port, options.lesson, candidates)
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
        results["quiz"] = {
            "label": label,
            "path": f"POST {urls.start_attempt(options.lesson)}",
            "who": "learner",
        } | quiz
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
