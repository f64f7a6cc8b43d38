"""Flask's request globals read straight from their context variables.

`flask.g`, `session`, `current_app` and Flask-Login's `current_user` are LocalProxy objects: every
attribute read resolves the proxy again, and `current_user` costs three such lookups (about 3 µs).
Code that runs several times per page reads the objects here instead (Flask 3.1 and Flask-Login
0.6, pinned; tests/web/test_request_globals.py holds each to its proxy's answer).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request
from flask.ctx import _AppCtxGlobals
from flask.globals import _cv_app, _cv_request
from flask.sessions import SessionMixin
from flask_login import current_user


def app_globals() -> _AppCtxGlobals:
    """flask.g"""
    return _cv_app.get().g


def current_flask_app() -> Flask:
    """flask.current_app"""
    return _cv_app.get().app


def current_request() -> Request:
    """flask.request"""
    return _cv_request.get().request


def request_session() -> SessionMixin:
    """flask.session"""
    return _cv_request.get().session


def loaded_user() -> Any:
    """The user Flask-Login has loaded for this request (signed in or anonymous), or None if not yet: loads nothing."""
    return _cv_app.get().g.get("_login_user")  # where Flask-Login keeps the request's user once loaded


def signed_in_user() -> Any:
    """flask_login.current_user's object: the signed-in user or the anonymous one; None outside a request."""
    if _cv_request.get(None) is None:
        return None  # as Flask-Login answers outside a request
    user = loaded_user()
    return user if user is not None else current_user._get_current_object()  # loads it
