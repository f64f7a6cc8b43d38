"""The page's CSRF token is Flask-WTF's: the same string, validated by Flask-WTF, shared with the page's forms."""

from __future__ import annotations

import hashlib
import os
import time
from datetime import UTC, datetime

import pytest
from flask import g, session
from flask_wtf.csrf import generate_csrf, validate_csrf
from itsdangerous import URLSafeTimedSerializer

from lms.web.csrf_tokens import SALT, PlainPayloadSerializer, page_csrf_token


def test_the_serializer_writes_what_itsdangerous_writes_for_session_tokens():
    ours, theirs = PlainPayloadSerializer("key", salt=SALT), URLSafeTimedSerializer("key", salt=SALT)
    for _ in range(200):
        raw = hashlib.sha1(os.urandom(64)).hexdigest()  # as Flask-WTF makes the session's token
        assert ours.dump_payload(raw) == theirs.dump_payload(raw)
        assert theirs.loads(ours.dumps(raw)) == raw


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_the_token_is_flask_wtfs_and_the_pages_forms_share_it(app, app_config):
    # Each in an app context of its own: g (where the token is kept) belongs to the app context.
    with app.app_context(), app.test_request_context("/"):
        first = page_csrf_token()  # the session's first: Flask-WTF makes the raw token
        assert validate_csrf(first) is None and first == generate_csrf()
    with app.app_context(), app.test_request_context("/"):
        session["csrf_token"] = raw = hashlib.sha1(b"a session's token").hexdigest()
        token = page_csrf_token()
        assert g.csrf_token == token == generate_csrf() == page_csrf_token()
        assert validate_csrf(token) is None
        assert URLSafeTimedSerializer(app.secret_key, salt=SALT).loads(token) == raw


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
@pytest.mark.parametrize("time_limit", [None, 3600])
def test_a_signature_is_kept_only_while_tokens_have_no_time_limit(app, app_config, time_limit, monkeypatch):
    app.config["WTF_CSRF_TIME_LIMIT"] = time_limit
    raw = hashlib.sha1(os.urandom(64)).hexdigest()
    tokens = []
    for clock in (time.time() - 1000, time.time()):  # the first token signed 1,000 s ago
        monkeypatch.setattr(time, "time", lambda clock=clock: clock)
        with app.app_context(), app.test_request_context("/"):
            session["csrf_token"] = raw
            tokens.append(page_csrf_token())
    monkeypatch.undo()
    with app.app_context(), app.test_request_context("/"):
        session["csrf_token"] = raw
        assert validate_csrf(tokens[1]) is None
    _, signed_at = URLSafeTimedSerializer(app.secret_key, salt=SALT).loads(tokens[1], return_timestamp=True)
    age = (datetime.now(UTC) - signed_at).total_seconds()
    if time_limit is None:
        assert tokens[1] == tokens[0] and age > 900, "no age is checked: the first signature serves"
    else:
        assert tokens[1] != tokens[0] and age < 60, "a token that can expire is signed now"
