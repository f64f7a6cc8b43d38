#!/usr/bin/env bash
# SQL injection scan: run sqlmap against a throwaway local server and fail if anything is injectable.
#
#   bash scripts/security_scan.sh        (or `make security`)
#
# It installs sqlmap from Debian if it is missing, builds a fresh SQLite database in a temporary
# folder (migrations, a 30-learner demo cohort, one enrolled learner, one instructor), serves the
# app with gunicorn on a free port of 127.0.0.1, then points sqlmap at:
#   canary      a planted injectable page (positive control: sqlmap must find it)
#   login       POST /account/login: email, password (a fresh CSRF token for every request)
#   quiz-a/b    POST /attempts/<id> as the learner: every answer field of an open attempt
#   roster      GET /instructor/ as the instructor: q, sort, dir, band, status, page, per_page
#   lesson      GET /lessons/<id> as the learner: the lesson id in the path
#   analysis    GET /instructor/quizzes/<id> as the instructor: basis
# It fails (exit 1) when sqlmap reports an injectable parameter, when it could not test every
# parameter to a verdict, or when its requests did not reach the view under test (connection
# errors, CSRF failures, lost sign-in, rate limiting, server errors), or when it misses the canary.
#
# Settings (environment): SECURITY_SCAN_LEVEL (default 2), SECURITY_SCAN_RISK (default 1),
# SECURITY_SCAN_DBMS (default SQLite, the server's database; empty: payloads for every DBMS),
# SECURITY_SCAN_KEEP=1 keeps the temporary folder (sqlmap output, traffic, server log).
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
LEVEL="${SECURITY_SCAN_LEVEL:-2}"
RISK="${SECURITY_SCAN_RISK:-1}"
DBMS="${SECURITY_SCAN_DBMS-SQLite}"
BIN=.venv/bin
PY="$BIN/python"
FIXTURE=scripts/security_fixture.py
LESSON=duties

# --------------------------------------------------------------------------- tools
if ! command -v sqlmap >/dev/null; then
  echo "== installing sqlmap (Debian package)"
  sudo=()
  if ((EUID != 0)); then sudo=(sudo); fi
  if ! command -v apt-get >/dev/null || { ((EUID != 0)) && ! command -v sudo >/dev/null; }; then
    echo "FAIL: sqlmap is not installed and apt-get cannot install it here; install sqlmap first" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get install -y -qq sqlmap >/dev/null 2>&1 ||
    { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq sqlmap >/dev/null; }
fi
make --no-print-directory -s venv # no-op when .venv is up to date with the requirements
echo "== $(sqlmap --version 2>/dev/null | head -1 | sed 's/^/sqlmap /')"

# --------------------------------------------------------------------------- throwaway server
WORK="$(mktemp -d /tmp/lms-security.XXXXXX)"
# The processes this script starts, each cleared once it has ended (so that no reused id is killed).
SERVER_PID="" CANARY_PID="" SQLMAP_PID=""
stop() { # stop PID: TERM, then KILL after 5 s
  local pid=$1
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local status=$?
  stop "$SQLMAP_PID"
  stop "$CANARY_PID"
  stop "$SERVER_PID"
  if ((status == 0)) && [[ "${SECURITY_SCAN_KEEP:-0}" != 1 ]]; then
    rm -rf "$WORK"
  else
    echo "== sqlmap output, traffic and server log kept in $WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM # long steps run in the background and are waited for, so this acts at once

export DATABASE_URL="sqlite:///$WORK/lms.sqlite3"
SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_hex(32))')"
export SECRET_KEY LMS_ENV=development SESSION_COOKIE_SECURE=0
# The sign-in limiter would answer most of sqlmap's requests with 429 before they reach the form.
# It has its own tests; here the payloads must reach the view.
export RATELIMIT_ENABLED=0
unset ENROLLMENT_CODE TRUST_PROXY_HOPS

PASSWORD="scan-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(12))')"
LEARNER=learner@security-scan.test
INSTRUCTOR=instructor@security-scan.test

echo "== database $DATABASE_URL"
run_quiet() { # run a setup step; show its output only if it fails
  if ! "$@" >"$WORK/step.log" 2>&1; then
    cat "$WORK/step.log" >&2
    echo "FAIL: $*" >&2
    exit 1
  fi
}
run_quiet "$BIN/flask" --app app db upgrade
run_quiet "$BIN/flask" --app app lms demo --learners 30
run_quiet "$PY" "$FIXTURE" users "$LEARNER" "$INSTRUCTOR" "$PASSWORD"

PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
COURSE="/courses/medical-office-manager"  # course pages sit under /courses/<course_id>/
"$BIN/gunicorn" --workers 2 --threads 4 --timeout 60 --bind "127.0.0.1:$PORT" \
  --access-logfile "$WORK/access.log" --error-logfile "$WORK/server.log" app:app &
SERVER_PID=$!
if ! "$PY" "$FIXTURE" wait "$BASE" --timeout 30; then
  tail -n 30 "$WORK/server.log" >&2
  exit 1
fi
echo "== server $BASE (gunicorn pid $SERVER_PID)"

run_quiet "$PY" "$FIXTURE" prepare "$BASE" "$LEARNER" "$INSTRUCTOR" "$PASSWORD" "$LESSON" "$WORK"
# shellcheck source=/dev/null
source "$WORK/targets.sh" # LEARNER_COOKIE, INSTRUCTOR_COOKIE, ATTEMPT_PATH, QUIZ_BODY_A/B, QUIZ_PARAMS_A/B
echo "== signed in a learner and an instructor; learner's open attempt $ATTEMPT_PATH ($QUIZ_QUESTIONS questions)"

# --------------------------------------------------------------------------- sqlmap
# --text-only: pages differ only in their CSRF tokens, so compare the text that people read.
SQLMAP_COMMON=(--batch --flush-session --disable-coloring --text-only --level="$LEVEL" --risk="$RISK"
  --timeout=15 --retries=1)
if [[ -n "$DBMS" ]]; then SQLMAP_COMMON+=(--dbms="$DBMS"); fi
echo "== sqlmap ${SQLMAP_COMMON[*]}"

failed=()
# scan NAME PARAMS HANDLER_REGEX DESCRIPTION -- sqlmap arguments
# HANDLER_REGEX matches a response of the view under test (its page or its own 400/404 message),
# which proves that the payloads got past CSRF, sign-in and routing.
scan() {
  local name=$1 params=$2 handler=$3 description=$4
  shift 5
  local dir="$WORK/$name" flags=() t0
  mkdir -p "$dir"
  if [[ " $* " == *" --csrf-token="* ]]; then flags+=(--csrf); fi
  t0=$(date +%s)
  TERM=dumb sqlmap "${SQLMAP_COMMON[@]}" --output-dir="$dir/out" -t "$dir/traffic.txt" "$@" \
    </dev/null >"$dir/sqlmap.log" 2>&1 &
  SQLMAP_PID=$!
  wait "$SQLMAP_PID" || true # its verdict comes from its output, below
  SQLMAP_PID=""
  if [[ "${EXPECT:-}" == injectable ]]; then flags+=(--expect-injectable); fi
  if ! "$PY" "$FIXTURE" report --name "$name" --target "$description" --log "$dir/sqlmap.log" \
    --traffic "$dir/traffic.txt" --results "$dir/out" --params "$params" --handler "$handler" \
    --seconds "$(($(date +%s) - t0))" "${flags[@]}"; then
    failed+=("$name")
    echo "   sqlmap's last warnings and findings ($dir/sqlmap.log):"
    grep -E "\[(CRITICAL|ERROR|WARNING)\]|injectable|identified" "$dir/sqlmap.log" |
      grep -v -e "version is outdated" -e "as the output directory" | tail -n 12 |
      sed -E 's/^[^[]*(\[[0-9]{2}:)/\1/; s/^/     /' | cut -c1-240
  fi
}

# Positive control: a planted injection (scripts/security_fixture.py canary) must be found with the
# same settings, or a clean result below would prove nothing.
CANARY_PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$PY" "$FIXTURE" canary "$CANARY_PORT" &
CANARY_PID=$!
run_quiet "$PY" "$FIXTURE" wait "http://127.0.0.1:$CANARY_PORT" --path "/search?q=a" --timeout 10
EXPECT=injectable scan canary "q" 'People' "GET /search?q= on a planted, deliberately injectable page" -- \
  -u "http://127.0.0.1:$CANARY_PORT/search?q=a" -p q
stop "$CANARY_PID"
CANARY_PID=""

scan login "email,password" '<h1>Sign in</h1>' "POST /account/login (fresh CSRF token per request)" -- \
  -u "$BASE/account/login" --data "csrf_token=x&email=nobody%40example.org&password=wrong-password&next=" \
  -p "email,password" --csrf-token=csrf_token --csrf-url="$BASE/account/login"

QUIZ_HANDLER='class="quiz-form"|This quiz form was changed'
scan quiz-a "$QUIZ_PARAMS_A" "$QUIZ_HANDLER" "POST $ATTEMPT_PATH as the learner, last question left open" -- \
  -u "$BASE$ATTEMPT_PATH" --data "$QUIZ_BODY_A" -p "$QUIZ_PARAMS_A" --cookie="$LEARNER_COOKIE" --drop-set-cookie \
  --csrf-token=csrf_token --csrf-url="$BASE$ATTEMPT_PATH"
scan quiz-b "$QUIZ_PARAMS_B" "$QUIZ_HANDLER" "POST $ATTEMPT_PATH as the learner, first question left open" -- \
  -u "$BASE$ATTEMPT_PATH" --data "$QUIZ_BODY_B" -p "$QUIZ_PARAMS_B" --cookie="$LEARNER_COOKIE" --drop-set-cookie \
  --csrf-token=csrf_token --csrf-url="$BASE$ATTEMPT_PATH"
if ! "$PY" "$FIXTURE" check-attempt "$BASE" "$LEARNER_COOKIE" "$ATTEMPT_PATH"; then failed+=(quiz-attempt); fi

scan roster "q,sort,dir,band,status,page,per_page" '<h1>Roster</h1>|search, filter or sort settings are not valid' \
  "GET /instructor/ as the instructor" -- \
  -u "$BASE$COURSE/instructor/?q=test&sort=readiness&dir=desc&band=&status=&page=1&per_page=50" \
  -p "q,sort,dir,band,status,page,per_page" --cookie="$INSTRUCTOR_COOKIE" --drop-set-cookie --threads=4

scan lesson "#1*" '<article class="lesson"|no lesson with that address' "GET /lessons/$LESSON* (path) as the learner" -- \
  -u "$BASE$COURSE/lessons/$LESSON*" --cookie="$LEARNER_COOKIE" --drop-set-cookie --threads=4

scan analysis "basis" '<h1>Quiz analysis|Choose first attempts or all attempts' \
  "GET /instructor/quizzes/$LESSON?basis=first as the instructor" -- \
  -u "$BASE$COURSE/instructor/quizzes/$LESSON?basis=first" -p basis --cookie="$INSTRUCTOR_COOKIE" --drop-set-cookie --threads=4

# The server must have survived the scan without an unhandled exception.
if ! "$PY" "$FIXTURE" wait "$BASE" --timeout 5; then failed+=(server-alive); fi
if grep -q "Traceback" "$WORK/server.log"; then
  echo "FAIL: the server logged an exception during the scan:"
  grep -B 2 -A 12 -m 1 "Traceback" "$WORK/server.log" | sed 's/^/     /'
  failed+=(server-exception)
fi

elapsed=$(($(date +%s) - started))
echo "== security scan took $((elapsed / 60)) min $((elapsed % 60)) s"
if ((${#failed[@]})); then
  echo "== FAILED: ${failed[*]}"
  exit 1
fi
echo "== OK: sqlmap found nothing injectable"
