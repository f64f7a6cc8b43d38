"""Response headers that harden every page, and the proxy set-up they depend on."""

from __future__ import annotations

import functools

from flask import Flask, abort
from werkzeug.middleware.proxy_fix import ProxyFix

from ..extensions import limiter
from ..services.lti.platforms import platform_origins
from .request_globals import current_flask_app, current_request, loaded_user, request_session


def content_security_policy(frame_ancestors: list[str]) -> str:
    """A policy with no inline script or style: every page uses our own files only."""
    ancestors = " ".join(frame_ancestors) if frame_ancestors else "'none'"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        f"form-action 'self'; frame-ancestors {ancestors}"
    )


def allowed_frame_ancestors() -> list[str]:
    """Who may frame this page: the configured origins, and for LTI pages and sessions the registered platforms."""
    configured = current_flask_app().config["FRAME_ANCESTORS"]
    # Only what runs in a platform's frame is framable by platforms: the site's own pages stay unframable.
    if not (current_request().path.startswith("/lti/") or request_session().get("lti")):
        return list(configured)
    return list(dict.fromkeys([*configured, *platform_origins()]))


# The same on every response: set together, not one lookup each.
_FIXED_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


@functools.lru_cache(maxsize=64)
def _framing_headers(ancestors: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The policy of a page these origins may frame, and for one nobody may, X-Frame-Options for older browsers."""
    policy = ("Content-Security-Policy", content_security_policy(list(ancestors)))
    return (policy,) if ancestors else (policy, ("X-Frame-Options", "DENY"))


def _secure_headers(response):
    headers = response.headers
    # The names already set, read once: asking Werkzeug's Headers for a missing name raises and
    # catches a KeyError each time, and this runs on every response.
    present = {name.lower() for name, _ in headers}
    added = [
        header for header in _framing_headers(tuple(allowed_frame_ancestors())) if header[0].lower() not in present
    ]
    added += _FIXED_HEADERS  # no view sets these
    if current_request().is_secure and "strict-transport-security" not in present:
        added.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    # Pages with someone's records must not stay in shared or back-button caches. Such a page has
    # loaded the user already; looking now would query the database for every static file, and
    # fail when the database is down.
    user = loaded_user()
    if user is not None and user.is_authenticated and "cache-control" not in present:
        added.append(("Cache-Control", "no-store"))
    headers.extend(added)
    return response


def _refuse_nul_characters() -> None:
    # No form or URL field has a use for NUL, and PostgreSQL text cannot hold it: refuse early.
    request = current_request()
    if not request.query_string and request.method in ("GET", "HEAD"):
        return  # nothing a view reads (most pages): no parsing
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                abort(400, description="The request holds characters that are not allowed.")


def init_app(app: Flask) -> None:
    """Trust the configured proxies, start the rate limiter and add the headers to every response."""
    hops = app.config["TRUST_PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    limiter.init_app(app)
    app.before_request(_refuse_nul_characters)
    app.after_request(_secure_headers)
