"""Measure every user-facing path of the course app against the bare-Flask limit.

For each cohort size it builds (or reuses) a SQLite database filled by `lms demo`, serves the
app and a bare Flask "hello" app under the same gunicorn settings, drives both with wrk (and a
small threaded client for the quiz, a write that needs each attempt's own form), counts the SQL
statements of each path in-process, and prints one table per size. Results go to
bench/results/ as JSON (untracked).

    .venv/bin/python -m bench --quick           # 1,000 learners, short runs (about 1 min)
    .venv/bin/python -m bench                   # 1,000, 10,000 and 50,000 learners
    .venv/bin/python -m bench --sizes 10000 --runs 3 --duration 10

See bench/README.md for what each row measures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
from datetime import datetime
from pathlib import Path

from .common import BIN, DEFAULT_CACHE, RESULTS_DIR, ROOT, BenchError, elapsed, log
from .dataset import cached_database
from .load import ensure_wrk
from .report import aggregate, format_table, machine_facts
from .run_one import Options, one_run


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure every user-facing path of the app against a bare Flask app under the same gunicorn.",
        epilog="Example: .venv/bin/python -m bench --quick",
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
            runs = []
            for number_ in range(1, args.runs + 1):
                log(f"{size:,} learners: run {number_} of {args.runs}")
                runs.append(one_run(size, db_path, meta, options, run_dir, count_statements=number_ == 1))
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
    log(f"done in {elapsed():.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
