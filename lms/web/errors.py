"""Error pages: styled, no tracebacks, JSON for API clients; the session rolls back on failure."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from ..extensions import db

TITLES = {
    400: "This request could not be used",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That action is not allowed here",
    413: "That upload is too large",
    429: "Too many requests",
    500: "Something went wrong on our side",
}


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def render_error(code: int, message: str):
    """Answer an error as a styled page, or as JSON to clients that ask for it."""
    title = TITLES.get(code, "Error")
    if _wants_json():
        return jsonify(error={"status": code, "title": title, "message": message}), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def _http_error(error: HTTPException):
    db.session.rollback()
    return render_error(error.code or 500, error.description or "")


def _csrf_error(error: CSRFError):
    db.session.rollback()
    return render_error(
        400, "The form was out of date or incomplete, so nothing was saved. Go back, reload the page and try again."
    )


def _server_error(error: InternalServerError):
    # Flask logs the original exception; here only the session and the page.
    db.session.rollback()
    return render_error(500, "The error has been logged. Nothing you submitted was half-saved; please try again.")


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _server_error)
