"""A page's CSRF token: Flask-WTF's own, signed by a serializer built once per key.

Every signed-in page carries one (the sign-out form in the header). Flask-WTF's generate_csrf
builds a URLSafeTimedSerializer per call and tries to zlib the 42-byte payload, which never gets
shorter: together almost half of the token's cost. The token is the same string, and Flask-WTF
validates it as its own (tests/web/test_csrf_tokens.py). With no time limit on tokens (our
setting: a token lives as long as its session), the signature of a session's token is kept per
process: a token signed a minute ago is as good as a new one, and signing is the rest of the cost.
"""

from __future__ import annotations

import functools

from flask_wtf.csrf import generate_csrf
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.serializer import Serializer

from .request_globals import app_globals, current_flask_app, request_session

FIELD = "csrf_token"  # Flask-WTF's default WTF_CSRF_FIELD_NAME: the key in the session and in g
SALT = "wtf-csrf-token"  # the salt generate_csrf and validate_csrf sign with


class PlainPayloadSerializer(URLSafeTimedSerializer):
    """URLSafeTimedSerializer that skips the zlib attempt: for payloads that never compress, the same output."""

    def dump_payload(self, obj: object) -> bytes:
        return base64_encode(Serializer.dump_payload(self, obj))


@functools.lru_cache(maxsize=4)
def _serializer(secret_key: str | bytes) -> PlainPayloadSerializer:
    return PlainPayloadSerializer(secret_key, salt=SALT)


@functools.lru_cache(maxsize=4096)
def _signed(secret_key: str | bytes, raw: str) -> str:
    return _serializer(secret_key).dumps(raw)


def page_csrf_token() -> str:
    """This request's signed CSRF token, shared with any FlaskForm on the page (Flask-WTF keeps it in g)."""
    g = app_globals()
    token = g.get(FIELD)
    if token is not None:
        return token
    raw = request_session().get(FIELD)
    if not isinstance(raw, str):
        return generate_csrf()  # the session's first token: Flask-WTF makes it
    app = current_flask_app()
    secret_key = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
    if app.config.get("WTF_CSRF_TIME_LIMIT", 3600) is None:
        token = _signed(secret_key, raw)  # never too old: validate_csrf checks no age
    else:
        token = _serializer(secret_key).dumps(raw)  # its timestamp must be now
    setattr(g, FIELD, token)
    return token
