"""Server-side sessions: the cookie carries a random token only; data, account and timeouts live in the database.

Our own small SessionInterface over the `sessions` table rather than Flask-Session: the account
page lists and ends an account's sessions, which needs the account as a column of the session
(Flask-Session keeps an opaque blob per key), the table is created by our migrations like every
other, writes go out only when something changed (or once a minute for "last seen"), and the
idle and absolute timeouts are checked on every read rather than left to a cookie's expiry.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Request, Response, request, session
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from flask_login import login_user, logout_user
from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import CallbackDict

from ..database import is_unavailable
from ..domain.values import value
from ..extensions import db
from ..models import MAX_ID, Enrollment, ProgressRecord, User, UserSession, utcnow
from .course_scope import COURSE_PREFIX, course_in_path
from .request_globals import request_session
from .session_records import read_session

# "Last seen" is written at most this often per session, so that reading pages stays read-only.
TOUCH_INTERVAL = timedelta(minutes=1)
_serializer = TaggedJSONSerializer()  # what Flask's own cookie session uses: flashes, Markup, tuples


def token_hash(token: str) -> str:
    """Return the stored form of a cookie's token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _user_id(data: dict) -> int | None:
    """Return the account a session's data names (Flask-Login's "<id>:<version>:<secret>"), or None."""
    head = str(data.get("_user_id", "")).partition(":")[0]
    return int(head) if head.isdigit() and len(head) <= 10 and int(head) <= MAX_ID else None


@value
class CourseRecords:
    """What the session's query brought on a course page: the enrollment there, its progress and quiz rules."""

    course_id: str
    enrollment: Enrollment | None
    progress: dict[str, ProgressRecord]
    quiz_rules: tuple[tuple, ...] | None  # the quiz rules (services.attempts.quiz_rule_parts), None if not read


class ServerSession(CallbackDict, SessionMixin):
    """A session's data, with what the interface needs to store it: its row, account and whether to renew."""

    def __init__(self, initial=None, record_id=None, user_id=None, persistent=False, last_seen=None, expires=None):
        def on_update(self) -> None:
            self.modified = True

        super().__init__(initial, on_update)
        self.record_id = record_id
        self.user_id = user_id
        self.persistent = persistent
        self.last_seen = last_seen
        self.expires = expires
        self.account: User | None = None  # held so that the loader finds it in the identity map
        self.course_records: CourseRecords | None = None
        self.renew = False
        self.unavailable: Exception | None = None
        self.modified = False


class ServerSessionInterface(SessionInterface):
    """Keep sessions in the `sessions` table, enforce the idle and absolute timeouts, renew ids on sign-in/out."""

    session_class = ServerSession
    clock: Callable[[], datetime] = staticmethod(utcnow)  # tests turn it forward

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        token = request.cookies.get(self.get_cookie_name(app), "")
        if not token or len(token) > 100 or _without_session(app, request.path):
            return ServerSession()
        course_id = course_in_path(request.path)
        try:
            row = read_session(
                token_hash(token), course_id, course_id is not None and _shows_quiz_rules(app, request.path)
            )
        except SQLAlchemyError as error:
            if not is_unavailable(error):
                raise
            # Raised again in before_request, where the error pages answer a styled 503.
            unavailable = ServerSession()
            unavailable.unavailable = error
            return unavailable
        if row is None:
            return ServerSession()
        now = self.clock()
        if now >= row.expires_at or now >= row.last_seen_at + idle_timeout(app):
            db.session.execute(delete(UserSession).where(UserSession.id == row.id))
            db.session.commit()  # nothing else is pending as the request begins
            return ServerSession()
        opened = ServerSession(
            _serializer.loads(row.data),
            record_id=row.id,
            user_id=row.user_id,
            persistent=row.persistent,
            last_seen=row.last_seen_at,
            expires=row.expires_at,
        )
        opened.account = row.account
        if course_id:
            opened.course_records = CourseRecords(course_id, row.enrollment, row.progress, row.quiz_rules)
        return opened

    def save_session(self, app: Flask, session: ServerSession, response: Response) -> None:
        if session.unavailable is not None:
            return  # the database was down when the request began: keep the cookie, write nothing
        response.vary.add("Cookie")
        now = self.clock()
        touch_due = session.record_id is not None and now - session.last_seen >= min(
            TOUCH_INTERVAL, idle_timeout(app) / 8
        )
        if not (session.renew or session.modified or touch_due or _user_id(session) != session.user_id):
            return  # most requests: nothing to write
        # The request's own database session, not a second connection (a crowd of requests each
        # holding one and waiting for another would drain the pool). What the view left uncommitted
        # is discarded first, as the end of the request would; then the session's writes commit alone.
        db.session.rollback()
        try:
            self._write(app, session, response, now, touch_due)
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()

    def _write(self, app: Flask, session: ServerSession, response: Response, now: datetime, touch_due: bool) -> None:
        """Delete, insert or update the session's row, and set or delete the cookie to match."""
        name, domain, path = self.get_cookie_name(app), self.get_cookie_domain(app), self.get_cookie_path(app)
        connection = db.session
        user_id = self._account(connection, session)
        # A change of account is a sign-in or sign-out: the old id never serves again (no fixation).
        renew = session.renew or user_id != session.user_id
        if session.record_id is not None and (renew or not session):
            connection.execute(delete(UserSession).where(UserSession.id == session.record_id))
        if not session:
            if session.record_id is not None:
                response.delete_cookie(name, domain=domain, path=path)
            return
        if session.record_id is None or renew:
            token = self._insert(app, connection, session, user_id, now)
            response.set_cookie(
                name,
                token,
                expires=now + self._lifetime(app, session) if session.persistent else None,
                httponly=self.get_cookie_httponly(app),
                domain=domain,
                path=path,
                secure=self.get_cookie_secure(app),
                samesite=self.get_cookie_samesite(app),
                partitioned=self.get_cookie_partitioned(app),
            )
        elif session.modified:
            connection.execute(
                update(UserSession)
                .where(UserSession.id == session.record_id)
                .values(data=_serializer.dumps(dict(session)), last_seen_at=now)
            )
        # Never coarser than an eighth of the idle timeout, so that an active session never idles out.
        elif touch_due:
            touch = update(UserSession).where(UserSession.id == session.record_id).values(last_seen_at=now)
            connection.execute(touch)

    @staticmethod
    def _account(connection, session: ServerSession) -> int | None:
        """Return the account the session's data names if its identity checks out, else drop it from the data.

        Only a sign-in (or a test client's session_transaction) changes the account; Flask-Login's
        remember-cookie path also writes an unchecked id into the data, which must bind nothing.
        """
        user_id = _user_id(session)
        if user_id is None or user_id == session.user_id:
            return user_id
        _, version, secret = [*str(session["_user_id"]).split(":"), "", ""][:3]
        found = connection.execute(select(User.session_version, User.session_secret).where(User.id == user_id)).first()
        if found is not None and str(found[0]) == version and hmac.compare_digest(found[1].encode(), secret.encode()):
            return user_id
        for key in ("_user_id", "_fresh", "_id", "_remember"):
            session.pop(key, None)
        return None

    @staticmethod
    def _lifetime(app: Flask, session: ServerSession) -> timedelta:
        key = "SESSION_REMEMBER_TIMEOUT" if session.persistent else "SESSION_ABSOLUTE_TIMEOUT"
        return timedelta(seconds=app.config[key])

    def _insert(self, app: Flask, connection, session: ServerSession, user_id: int | None, now: datetime) -> str:
        """Store the session under a new random token and return the token."""
        if user_id is not None:
            # A sign-in clears out sessions that timed out (the lookup refuses them already).
            connection.execute(
                delete(UserSession).where(
                    or_(UserSession.expires_at <= now, UserSession.last_seen_at <= now - idle_timeout(app))
                )
            )
        token = secrets.token_urlsafe(32)
        connection.execute(
            insert(UserSession).values(
                token_hash=token_hash(token),
                user_id=user_id,
                data=_serializer.dumps(dict(session)),
                persistent=session.persistent,
                created_at=now,
                last_seen_at=now,
                expires_at=now + self._lifetime(app, session),
                user_agent=(request.user_agent.string or "")[:200],
                address=(request.remote_addr or "")[:45],
            )
        )
        return token


def idle_timeout(app: Flask) -> timedelta:
    """Return how long a session lasts without a request."""
    return timedelta(seconds=app.config["SESSION_IDLE_TIMEOUT"])


def sign_in(user: User, remember: bool) -> None:
    """Sign the user in on a new session: new id, new CSRF token, nothing kept from before."""
    session.clear()
    login_user(user)
    session.renew = True
    session.persistent = remember


def sign_out() -> None:
    """Sign out and end this session on the server; what follows (a flash) gets a new one."""
    logout_user()
    session.clear()
    session.renew = True


def session_account_id() -> int | None:
    """Return the account this request's stored session belongs to, or None."""
    return getattr(request_session(), "user_id", None)


def session_account() -> User | None:
    """The account the session's query brought along (checked by the user loader, not here), or None."""
    return getattr(request_session(), "account", None)


def course_records(course_id: str) -> CourseRecords | None:
    """What the session's query brought for this course (enrollment and progress rows), or None."""
    records = getattr(request_session(), "course_records", None)
    return records if records is not None and records.course_id == course_id else None


def current_record_id() -> int | None:
    """Return the id of this request's session row, or None before it is stored."""
    return getattr(request_session(), "record_id", None)


# The pages that show the learner's quiz rules (the Continue card, the dashboard's attempts left): their
# session query brings them, instead of a statement of their own; other course pages do not pay for them.
WITH_QUIZ_RULES = frozenset({"course.outline", "course.dashboard"})


def _shows_quiz_rules(app: Flask, path: str) -> bool:
    """True for the path of a WITH_QUIZ_RULES page (known before the URL is matched), given a course path."""
    suffixes = _per_app(app, "lms.quiz_rule_paths", WITH_QUIZ_RULES, _course_suffixes)
    _, slash, rest = path[len("/courses/") :].partition("/")
    return slash + rest in suffixes


def _course_suffixes(rules: list[str]) -> frozenset[str]:
    return frozenset(rule.removeprefix(COURSE_PREFIX) for rule in rules)


def _per_app(app: Flask, key: str, endpoints: frozenset[str], shape: Callable[[list[str]], Any]) -> Any:
    """shape(the URL rules of these endpoints), worked out once per app: the URL map is complete once the app serves."""
    found = app.extensions.get(key)
    if found is None:
        rules = [rule.rule for rule in app.url_map.iter_rules() if rule.endpoint in endpoints]
        found = app.extensions[key] = shape(rules)
    return found


# Pages that must answer while the database is down (health checks, the pages' style). They read
# no stored session either: a browser asks for the static files, cookie and all, on every page.
WITHOUT_DATABASE = frozenset({"static", "ops.healthz", "ops.readyz"})


def _without_session(app: Flask, path: str) -> bool:
    """True for a path of a WITHOUT_DATABASE page (known before the URL is matched): no session query for it."""
    exact, prefixes = _per_app(app, "lms.sessionless_paths", WITHOUT_DATABASE, _exact_and_prefixes)
    return path in exact or path.startswith(prefixes)


def _exact_and_prefixes(rules: list[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """The rules without variables, and what comes before the first variable of the others."""
    exact = frozenset(rule for rule in rules if "<" not in rule)
    return exact, tuple(rule.partition("<")[0] for rule in rules if "<" in rule)


def _raise_if_unavailable() -> None:
    """Turn a session the database could not load into the 503 the error pages give an outage."""
    error = getattr(request_session(), "unavailable", None)
    if error is not None and request.endpoint not in WITHOUT_DATABASE:
        raise error


def init_app(app: Flask) -> None:
    """Store the app's sessions in the database."""
    app.session_interface = ServerSessionInterface()
    app.before_request_funcs.setdefault(None, []).insert(0, _raise_if_unavailable)
