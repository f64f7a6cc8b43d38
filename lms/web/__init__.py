"""The web layer: blueprints, login set-up, template helpers and error pages."""

from __future__ import annotations

import hmac
from datetime import datetime

from flask import Flask
from markupsafe import Markup, escape
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from ..extensions import db, login_manager
from ..models import MAX_ID, Enrollment, User
from . import (
    account,
    auth,
    catalog,
    course,
    course_scope,
    errors,
    instructor,
    legacy,
    lti,
    ops,
    preview,
    quiz,
    recovery,
    security,
    sessions,
)
from .access import cached_enrollments, can_change, current_enrollment, is_staff
from .course_scope import current_course
from .csrf_tokens import page_csrf_token
from .page_links import page_links
from .progress_view import lesson_badge
from .question_fields import field_for
from .request_globals import current_flask_app
from .sessions import course_records, session_account, session_account_id
from .texts import flag_text


def _load_user(session_id: str) -> User | None:
    """Load the signed-in user, and on a course page their enrollment in it (usually brought by the
    session's query); a session from before a password change, or of another account, no longer matches."""
    user_id, version, secret = [*session_id.split(":"), "", ""][:3]
    # Bounded: a larger id is no account (and no database error).
    if not (user_id.isdigit() and len(user_id) <= 10 and version.isdigit() and len(version) < 10 and secret):
        return None
    if int(user_id) > MAX_ID:
        return None
    course = current_course()
    records = course_records(course.id) if course is not None else None
    account = session_account()
    if account is not None and account.id == int(user_id) and (course is None or records is not None):
        # The session's query brought them all (the usual case): no query here.
        user, enrollment = account, records.enrollment if records is not None else None
    elif course is None:
        user = db.session.get(User, int(user_id))
        enrollment = None
    else:
        found = db.session.execute(
            select(User, Enrollment)
            .outerjoin(Enrollment, (Enrollment.user_id == User.id) & (Enrollment.course_id == course.id))
            .where(User.id == int(user_id))
        ).first()
        user, enrollment = found if found is not None else (None, None)
    if (
        user is None
        # The stored session must be this account's: an id from anywhere else (a remember cookie) is refused.
        or session_account_id() != user.id
        or user.session_version != int(version)
        or not hmac.compare_digest(user.session_secret.encode(), secret.encode())
    ):
        return None
    if course is not None:
        # Nearly every course page needs the enrollment too: keep it for current_enrollment().
        cached_enrollments()[(user.id, course.id)] = enrollment
    return user


class BoundedIntConverter(IntegerConverter):
    """`int` in every route, bounded to what a database id holds: a larger number is a 404, not a 500."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_ID if max is None else max)


def format_time(value: datetime | None) -> str:
    """Format a stored UTC time for people: '27 Nov 2026, 14:05 UTC'."""
    return value.strftime("%-d %b %Y, %H:%M UTC") if value else ""


def when(value: datetime | None) -> Markup:
    """A stored UTC time: its UTC text for every reader, turned into the reader's own zone by static/js/local-time.js.

    A function rather than a macro: pages show many, and a Jinja macro call (and its module import) costs more.
    """
    if not value:
        return Markup()
    return Markup('<time datetime="%s" data-local-time>%s</time>') % (value.isoformat(), format_time(value))


def progress_bar(value: float, label: str) -> Markup:
    """A labelled progress bar of a 0-100 value (its label escaped; the percentage rounded as `round | int`).

    A function rather than a macro, as `when`: the dashboard shows two, and a macro call and its import
    cost more (so does Markup's % formatting, which wraps every argument).
    """
    label, percent = escape(label), round(value)
    return Markup(
        f'<div class="progress">\n    <div class="progress-label"><span>{label}</span><span>{percent}%</span></div>\n'
        f'    <progress max="100" value="{value}" aria-label="{label}">{percent}%</progress>\n  </div>'
    )


def format_score(value: float | None) -> str:
    """Format a 0-100 score as a whole percentage, or a dash when there is none."""
    return "–" if value is None else f"{value:.0f}%"


def csrf_field() -> Markup:
    """The hidden CSRF input of a form with no other field (a button), without building an ActionForm."""
    if not current_flask_app().config.get("WTF_CSRF_ENABLED", True):
        return Markup()  # as a FlaskForm without CSRF renders (and no token is put in the session)
    return Markup('<input name="csrf_token" type="hidden" value="%s">') % page_csrf_token()


def init_app(app: Flask) -> None:
    """Register blueprints, the user loader, template globals and error handlers."""
    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added
    login_manager.user_loader(_load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    sessions.init_app(app)
    course_scope.init_app(app)
    blueprints = (
        catalog.bp,
        auth.bp,
        account.bp,
        recovery.bp,
        course.bp,
        quiz.bp,
        preview.bp,
        instructor.bp,
        legacy.bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    lti.init_app(app)
    app.register_blueprint(ops.bp)
    errors.init_app(app)
    security.init_app(app)
    app.jinja_env.filters["time"] = format_time
    app.jinja_env.filters["score"] = format_score
    app.jinja_env.filters["flag_text"] = flag_text
    app.jinja_env.globals.update(
        current_course=current_course,
        current_enrollment=current_enrollment,
        is_staff=is_staff,
        can_change=can_change,
        csrf_field=csrf_field,
        when=when,
        question_field=field_for,
        lesson_badge=lesson_badge,
        progress_bar=progress_bar,
        page_links=page_links,
    )
