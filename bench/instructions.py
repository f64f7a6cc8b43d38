"""Count the CPU instructions one request costs, in-process, under Valgrind's callgrind.

Requests per second move with the machine's load (by a fifth and more on a shared 2-core
machine); an instruction count does not, so it shows what a change to a page bought before a
quiet machine is free for `python -m bench`.

    .venv/bin/python -m bench.instructions --database DB /courses/medical-office-manager/lessons/duties
    .venv/bin/python -m bench.instructions --database DB hello /healthz /courses/medical-office-manager/dashboard

DB is a SQLite file filled by `lms demo` (a bench cache: /var/tmp/lms-bench/lms-1000-*.sqlite3);
each path is measured on a copy. "hello" is the bare Flask app through the same test client. The
app runs as the bench serves it (production settings, CSRF on) with the demo learner with the most
attempts signed in through the real form. Each path runs in its own process under
`valgrind --tool=callgrind --instr-atstart=no`, and counting is switched on (`callgrind_control`)
only around the measured requests, after a warm-up: start-up is not counted.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import DEMO_PASSWORD, SECRET_KEY  # noqa: E402  (after the path is set)

WARM_UP = 30
COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def _measure(database: Path, path: str, requests: int) -> float:
    """Millions of instructions per request of one path, from a child process under callgrind."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "lms.sqlite3"
        shutil.copy(database, copy)
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-m",
            "bench.instructions",
            "--child",
            "--database",
            str(copy),
            "--requests",
            str(requests),
            path,
        ]
        finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    found = COLLECTED.search(finished.stderr)
    if finished.returncode != 0 or found is None:
        raise SystemExit(f"{path}: the measured run failed:\n{finished.stderr[-3000:]}")
    return int(found.group(1)) / requests / 1e6


def _child(database: Path, path: str, requests: int) -> None:
    """Sign in, warm up, then request the path with callgrind counting (run under valgrind by _measure)."""
    os.environ.update(
        DATABASE_URL=f"sqlite:///{database}",
        SECRET_KEY=SECRET_KEY,
        LMS_ENV="production",
        SESSION_COOKIE_SECURE="0",
        RATELIMIT_ENABLED="0",
    )
    from flask import Flask
    from sqlalchemy import select

    from bench import urls
    from bench.client import FormFields
    from lms import create_app
    from lms.extensions import db
    from lms.models import Enrollment, User

    if path == "hello":
        hello = Flask("hello")
        hello.add_url_rule("/", "hello", lambda: "hello")
        client, path = hello.test_client(), "/"
    else:
        app = create_app()
        with app.app_context():
            most_attempts = select(User.email).join(Enrollment).order_by(Enrollment.attempts_used.desc()).limit(1)
            email = db.session.execute(most_attempts).scalar_one()
        client = app.test_client()
        token = FormFields(client.get(urls.SIGN_IN).data).csrf_token()
        signed_in = client.post(urls.SIGN_IN, data={"csrf_token": token, "email": email, "password": DEMO_PASSWORD})
        if signed_in.status_code != 302:
            raise SystemExit(f"signing in as {email} answered {signed_in.status_code}")
    for _ in range(WARM_UP):
        answered = client.get(path)
        if answered.status_code != 200:
            raise SystemExit(f"{path} answered {answered.status_code}")
    pid = str(os.getpid())
    subprocess.run(["callgrind_control", "--instr=on", pid], check=True, capture_output=True)
    for _ in range(requests):
        client.get(path)
    subprocess.run(["callgrind_control", "--instr=off", pid], check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--database", required=True, type=Path, help="a SQLite file filled by `lms demo`")
    parser.add_argument("--requests", type=int, default=100, help="requests counted per path (default 100)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.database, args.paths[0], args.requests)
        return
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        raise SystemExit("needs Valgrind: apt-get install valgrind")
    for path in args.paths:
        print(f"{path}: {_measure(args.database, path, args.requests):.2f} M instructions per request", flush=True)


if __name__ == "__main__":
    main()
