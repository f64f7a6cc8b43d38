"""The page's CSRF token is Flask-WTF's: the same string, validated by Flask-WTF, shared with the page's forms."""

from __future__ import annotations

import hashlib
import os

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
