"""The web layer: blueprints, login set-up, template helpers and error pages."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from sqlalchemy import select

from ..extensions import db, login_manager
from ..models import Enrollment, User
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
    quiz,
    recovery,
    security,
)
from .access import cached_enrollments, can_change, current_enrollment, is_staff
from .course_scope import current_course
from .forms import ActionForm
from .question_fields import field_for
from .texts import flag_text


def _load_user(session_id: str) -> User | None:
    """Load the signed-in user, and on a course page their enrollment in it, in one query; a
    session from before a password change no longer matches."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    course = current_course()
    if course is None:
        user = db.session.get(User, int(user_id))
        return user if user is not None and user.session_version == int(version) else None
    found = db.session.execute(
        select(User, Enrollment)
        .outerjoin(Enrollment, (Enrollment.user_id == User.id) & (Enrollment.course_id == course.id))
        .where(User.id == int(user_id))
    ).first()
    if found is None or found[0].session_version != int(version):
        return None
    # Nearly every course page needs the enrollment too: keep it for current_enrollment().
    cached_enrollments()[(found[0].id, course.id)] = found[1]
    return found[0]


def format_time(value: datetime | None) -> str:
    """Format a stored UTC time for people: '27 Nov 2026, 14:05 UTC'."""
    return value.strftime("%-d %b %Y, %H:%M UTC") if value else ""


def format_score(value: float | None) -> str:
    """Format a 0-100 score as a whole percentage, or a dash when there is none."""
    return "–" if value is None else f"{value:.0f}%"


def init_app(app: Flask) -> None:
    """Register blueprints, the user loader, template globals and error handlers."""
    login_manager.user_loader(_load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    course_scope.init_app(app)
    for blueprint in (catalog.bp, auth.bp, account.bp, recovery.bp, course.bp, quiz.bp, instructor.bp, legacy.bp):
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
        action_form=ActionForm,
        question_field=field_for,
    )
