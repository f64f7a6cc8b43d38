"""Helpers for scripts/security_scan.sh (the sqlmap scan); not part of the app. Only `users` imports it.

security_fixture.py users LEARNER INSTRUCTOR PASSWORD
    In the app's database (DATABASE_URL): create an enrolled learner and an instructor.
security_fixture.py wait BASE_URL [--timeout S] [--path P]
    Wait until the server answers GET P (default /account/login) with 200.
security_fixture.py prepare BASE_URL LEARNER INSTRUCTOR PASSWORD LESSON OUT_DIR
    Sign both users in through the real sign-in form (CSRF token included), start a quiz
    attempt as the learner, and write OUT_DIR/targets.sh (shell variables for the scan).
security_fixture.py check-attempt BASE_URL COOKIE ATTEMPT_PATH
    After the scan: the attempt must still be open (no payload submitted or broke it).
security_fixture.py canary PORT
    Serve a deliberately injectable page (GET /search?q=) for the scan's positive control.
security_fixture.py report --name N --log SQLMAP_OUTPUT --traffic TRAFFIC_FILE --results DIR
                           --params a,b --handler REGEX [--csrf] [--expect-injectable]
    Read one sqlmap run and print its summary; exit 1 if anything is injectable, if sqlmap
    could not test every parameter, or if its requests did not reach the view under test
    (with --expect-injectable, the positive control: exit 1 unless it found the injection).
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# One HTTP/form client for the benchmark and this scan, and the app's paths in one place.
from bench import urls  # noqa: E402
from bench.client import Client, FormFields, quiz_answers, sign_in  # noqa: E402
from bench.common import BenchError  # noqa: E402

# --------------------------------------------------------------------------- commands


def cmd_users(args: argparse.Namespace) -> None:
    # Imported here: the app reads DATABASE_URL when it is created.
    from app import app
    from lms.extensions import db
    from lms.services.accounts import create_staff, register_user
    from lms.services.enrollments import enroll

    with app.app_context():
        learner = register_user("Scan Learner", args.learner, args.password)
        code = app.config["ENROLLMENT_CODE"]
        course = app.extensions["lms.catalog"].default
        enroll(learner.id, course, code, code)
        create_staff("Scan Instructor", args.instructor, args.password, course)
        db.session.commit()
    print(f"created learner {args.learner} (enrolled) and instructor {args.instructor}")


def cmd_wait(args: argparse.Namespace) -> None:
    deadline = time.monotonic() + args.timeout
    client = Client.for_url(args.base)
    while True:
        try:
            if client.request("GET", args.path).status == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"the server at {args.base} did not answer within {args.timeout:g} s")
        time.sleep(0.2)


def cmd_prepare(args: argparse.Namespace) -> None:
    out = Path(args.out_dir)
    server = urlsplit(args.base)
    try:
        learner = sign_in(server.port, args.learner, args.password, server.hostname)
        token = learner.csrf_token(urls.quiz(args.lesson))
        start = learner.request("POST", urls.start_attempt(args.lesson), [("csrf_token", token)])
        attempt_id = urls.attempt_id(start.location)
        if start.status != 303 or attempt_id is None:
            sys.exit(f"starting a {args.lesson} attempt failed: {start.status} {start.location}")
        attempt_path = urls.attempt(attempt_id)
        page = learner.request("GET", attempt_path)
        questions = FormFields(page.body).questions
        if page.status != 200 or FormFields(page.body).csrf_token(required=False) is None or len(questions) < 2:
            sys.exit(f"GET {attempt_path} answered {page.status} without a quiz form")
        instructor = sign_in(server.port, args.instructor, args.password, server.hostname)
    except BenchError as error:
        sys.exit(str(error))
    (out / "attempt.html").write_text(page.text, encoding="utf-8")
    first, last = min(questions), max(questions)
    variables = {
        "LEARNER_COOKIE": "session=" + learner.cookies["session"],
        "INSTRUCTOR_COOKIE": "session=" + instructor.cookies["session"],
        "ATTEMPT_PATH": attempt_path,
        "QUIZ_QUESTIONS": str(len(questions)),
        # Run A: the last question unanswered; every field of the others is tested.
        "QUIZ_BODY_A": urlencode(quiz_answers(page.body, skip=last)),
        "QUIZ_PARAMS_A": ",".join(name for number, names in questions.items() if number != last for name in names),
        # Run B: the first question unanswered; the last question's fields are tested.
        "QUIZ_BODY_B": urlencode(quiz_answers(page.body, skip=first)),
        "QUIZ_PARAMS_B": ",".join(questions[last]),
    }
    lines = [f"{key}={shlex.quote(value)}" for key, value in variables.items()]
    (out / "targets.sh").write_text("\n".join(lines) + "\n", encoding="utf-8")


def cmd_check_attempt(args: argparse.Namespace) -> None:
    """After the scan: the attempt must still be open (no request submitted or broke it)."""
    page = Client.for_url(args.base, cookie=args.cookie).request("GET", args.path)
    if page.status != 200 or 'class="quiz-form"' not in page.text:
        sys.exit(
            f"after the scan GET {args.path} answered {page.status} {page.location}: the attempt is no longer open"
        )
    print(f"after the scan {args.path} is still open and unchanged (no request could submit it)")


# --------------------------------------------------------------------------- positive control


CANARY_ROWS = [
    ("Ada Lovelace", "ada@example.org"),
    ("Grace Hopper", "grace@example.org"),
    ("Alan Turing", "alan@example.org"),
]


def cmd_canary(args: argparse.Namespace) -> None:
    """Serve GET /search?q= with a query built by string formatting: an injection sqlmap must find."""
    import sqlite3
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs

    database = sqlite3.connect(":memory:", check_same_thread=False)
    database.execute("CREATE TABLE people (name TEXT, email TEXT)")
    database.executemany("INSERT INTO people VALUES (?, ?)", CANARY_ROWS)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            q = parse_qs(urlsplit(self.path).query).get("q", [""])[0]
            query = f"SELECT name, email FROM people WHERE name LIKE '%{q}%'"  # DELIBERATELY VULNERABLE
            try:
                rows = database.execute(query).fetchall()
                body = "".join(f"<li>{name} &lt;{email}&gt;</li>" for name, email in rows)
            except sqlite3.Error:
                body = "<p>No results.</p>"
            page = f"<!doctype html><title>People</title><h1>People</h1><ul>{body}</ul>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args) -> None:
            pass

    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


# --------------------------------------------------------------------------- reading a sqlmap run

_ENTRY = re.compile(r"^HTTP request \[#\d+\]:\n", re.M)
# sqlmap's words (lib/controller/checks.py, controller.py): "<place> parameter 'x' appears to be '<test>'
# injectable", "... is '<test>' injectable", "... is vulnerable", "... does not seem to be injectable".
_POSITIVE = re.compile(r"parameter '([^']+)' (?:(?:appears to be|is) '.*' injectable|is vulnerable)")
_NEGATIVE = re.compile(r"parameter '([^']+)' does not seem to be injectable")
_TESTING = re.compile(r"testing for SQL injection on (?:\w+ )?parameter '([^']+)'")
_CSRF_PAGE = "The form was out of date or incomplete"
_HARMLESS_ERRORS = ("all tested parameters do not appear to be injectable",)


def read_traffic(path: Path, csrf: bool) -> tuple[list[tuple[str, int | None, str, bool]], int]:
    """Return the requests that carried payloads (request line, status, response, has body) and the token fetches."""
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    tested, token_fetches = [], 0
    for entry in _ENTRY.split(text)[1:]:
        request, _, response = entry.partition("\nHTTP response [#")
        head, _, body = request.partition("\n\n")
        if csrf and not body.strip():
            token_fetches += 1  # sqlmap's GET of the page that holds a fresh token
            continue
        status = re.match(r"\d+\] \((\d{3})", response)
        tested.append((head.splitlines()[0], int(status.group(1)) if status else None, response, bool(body.strip())))
    return tested, token_fetches


def cmd_report(args: argparse.Namespace) -> None:
    log = Path(args.log).read_text(encoding="utf-8", errors="replace")
    expected = [p for p in args.params.split(",") if p]
    problems: list[str] = []

    # 1. Verdicts: the last word sqlmap said about each parameter.
    verdict: dict[str, str] = {}
    for line in log.splitlines():
        if m := _POSITIVE.search(line):
            verdict[m.group(1)] = "INJECTABLE"
        elif m := _NEGATIVE.search(line):
            verdict[m.group(1)] = "not injectable"
    tested_names = {m.group(1) for m in _TESTING.finditer(log)}
    injectable = sorted(name for name, word in verdict.items() if word == "INJECTABLE")
    if injectable:
        problems.append(f"sqlmap reports injectable parameter(s): {', '.join(injectable)}")
    if "identified the following injection point" in log:
        problems.append("sqlmap identified an injection point (see its output)")
    stored = [p for p in Path(args.results).glob("*/log") if p.stat().st_size > 0]
    if stored:
        problems.append(f"sqlmap stored injection points in {stored[0]}")
    untested = [name for name in expected if name not in tested_names or name not in verdict]
    if untested:
        problems.append(f"parameter(s) sqlmap did not test to a verdict: {', '.join(untested)}")

    # 2. sqlmap's own complaints: connection problems, missing token, anything critical.
    for line in log.splitlines():
        critical = "[CRITICAL]" in line or ("[ERROR]" in line and not any(h in line for h in _HARMLESS_ERRORS))
        if critical or re.search(r"connection (refused|reset|timed out)|unable to connect", line, re.I):
            problems.append("sqlmap: " + line.strip()[:300])

    # 3. Did the payloads reach the view under test? (Not the CSRF check, the sign-in page or a limiter.)
    tested, token_fetches = read_traffic(Path(args.traffic), args.csrf)
    statuses = Counter(status for _, status, _, _ in tested)
    handler = re.compile(args.handler)
    reached = sum(1 for _, status, response, _ in tested if status is not None and handler.search(response))
    csrf_failures = sum(1 for _, _, response, _ in tested if _CSRF_PAGE in response)
    if not tested:
        problems.append("no request reached the server (see sqlmap's output)")
    if csrf_failures:
        problems.append(f"{csrf_failures} request(s) failed the CSRF check: the token handling is wrong")
    bad = {code: n for code, n in statuses.items() if code is None or code in (401, 403, 405, 429) or code >= 500}
    if bad:
        problems.append(f"unexpected responses {bad} (None: no response; 401/403: signed out or wrong role; "
                        "429: rate limited; 5xx: the server failed on a payload)")  # fmt: skip
    if tested and reached < 0.9 * len(tested):
        problems.append(f"only {reached} of {len(tested)} responses came from the view under test")

    if args.expect_injectable:  # the positive control: finding the planted injection is the pass
        print(f"-- {args.name}: {args.target}")
        print(f"   requests: {len(tested)} in {args.seconds} s")
        if not injectable:
            print("   FAIL: sqlmap did not find the planted injection, so the scan could not find a real one either")
            sys.exit(1)
        print(f"   OK: sqlmap found the planted injection in {', '.join(injectable)}, so the scan can find one")
        return

    print(f"-- {args.name}: {args.target}")
    codes = ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items(), key=lambda item: str(item[0])))
    extra = f" + {token_fetches} token-page fetches = {len(tested) + token_fetches}" if args.csrf else ""
    print(f"   requests: {len(tested)} with payloads{extra} in {args.seconds} s; statuses {{{codes}}}")
    print(f"   reached the view under test: {reached} of {len(tested)}")
    if rejected := log.count("false positive or unexploitable injection point detected"):
        print(f"   note: sqlmap re-checked {rejected} possible finding(s) and rejected them as false positives")
    print("   parameters: " + ", ".join(f"{name} ({verdict.get(name, 'NOT TESTED')})" for name in expected))
    if problems:
        for problem in dict.fromkeys(problems):
            print(f"   FAIL: {problem}")
        for path in stored:
            print("   " + path.read_text(encoding="utf-8", errors="replace").strip().replace("\n", "\n   "))
        sys.exit(1)
    print("   OK: nothing injectable")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(required=True)

    users = commands.add_parser("users")
    for name in ("learner", "instructor", "password"):
        users.add_argument(name)
    users.set_defaults(run=cmd_users)

    wait = commands.add_parser("wait")
    wait.add_argument("base")
    wait.add_argument("--timeout", type=float, default=30)
    wait.add_argument("--path", default=urls.SIGN_IN)
    wait.set_defaults(run=cmd_wait)

    prepare = commands.add_parser("prepare")
    for name in ("base", "learner", "instructor", "password", "lesson", "out_dir"):
        prepare.add_argument(name)
    prepare.set_defaults(run=cmd_prepare)

    canary = commands.add_parser("canary")
    canary.add_argument("port", type=int)
    canary.set_defaults(run=cmd_canary)

    check = commands.add_parser("check-attempt")
    for name in ("base", "cookie", "path"):
        check.add_argument(name)
    check.set_defaults(run=cmd_check_attempt)

    report = commands.add_parser("report")
    report.add_argument("--name", required=True)
    report.add_argument("--target", default="")
    report.add_argument("--log", required=True)
    report.add_argument("--traffic", required=True)
    report.add_argument("--results", required=True)
    report.add_argument("--params", required=True)
    report.add_argument("--handler", required=True, help="regex that a response of the view under test matches")
    report.add_argument("--csrf", action="store_true", help="sqlmap fetched a fresh token before each request")
    report.add_argument("--seconds", default="?")
    report.add_argument("--expect-injectable", action="store_true", help="a positive control: pass only if injectable")
    report.set_defaults(run=cmd_report)

    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
