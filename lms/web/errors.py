"""Error pages: styled, no tracebacks, JSON for API clients, rendered without the database; the session
rolls back on failure, and an unreachable database answers 503 with Retry-After."""

from __future__ import annotations

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from ..database import is_unavailable
from ..extensions import db, login_manager

RETRY_AFTER_SECONDS = 30
TITLES = {
    400: "This request could not be used",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That action is not allowed here",
    413: "That request is too large",
    429: "Too many requests",
    500: "Something went wrong on our side",
    503: "The course is briefly unavailable",
}


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def render_error(code: int, message: str):
    """Answer an error as a styled page, or as JSON to clients that ask for it; reads nothing from the database."""
    title = TITLES.get(code, "Error")
    if "_login_user" not in g:
        # Flask-Login loads the user from the database for every template (and the security headers
        # look at it): an error page, which shows no account details, must not need the database.
        g._login_user = login_manager.anonymous_user()
    if _wants_json():
        return jsonify(error={"status": code, "title": title, "message": message}), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def _roll_back() -> None:
    try:
        db.session.rollback()
    except (OperationalError, InterfaceError):
        # The connection is gone; the pool replaces it on the next checkout.
        db.session.close()


def _unavailable():
    _roll_back()
    response = current_app.make_response(
        render_error(503, f"Nothing was half-saved. Please try again in {RETRY_AFTER_SECONDS} seconds.")
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def _database_error(error: Exception):
    if not is_unavailable(error):
        raise error  # a bug, not an outage: the 500 handler logs it
    current_app.logger.warning("database unavailable: %s", error)
    return _unavailable()


def _http_error(error: HTTPException):
    _roll_back()
    return render_error(error.code or 500, error.description or "")


def _too_large(error: RequestEntityTooLarge):
    limit = _size(current_app.config["MAX_CONTENT_LENGTH"])
    return render_error(413, f"This site accepts requests of up to {limit}; nothing was saved.")


def _size(limit: int) -> str:
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if limit >= size:
            return f"{limit / size:,.3g} {unit}"
    return f"{limit:,} bytes"


def _csrf_error(error: CSRFError):
    _roll_back()
    return render_error(
        400, "The form was out of date or incomplete, so nothing was saved. Go back, reload the page and try again."
    )


def _server_error(error: InternalServerError):
    # Flask logs the original exception; here only the session and the page.
    if error.original_exception is not None and is_unavailable(error.original_exception):
        return _unavailable()
    _roll_back()
    return render_error(500, "The error has been logged. Nothing you submitted was half-saved; please try again.")


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _server_error)
    for database_error in (OperationalError, InterfaceError, PoolTimeoutError):
        app.register_error_handler(database_error, _database_error)
