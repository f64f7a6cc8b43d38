"""The shared cache (Flask-Caching): in-process by default, Redis when CACHE_URL or REDIS_URL is set,
so that several app servers compute an expensive page once per change between them."""

from __future__ import annotations

from flask import Flask

from .extensions import cache

# Entries are keyed by what they depend on (see analysis.cached_quiz_analysis), so they never go
# stale; the timeout only bounds how long unused ones take memory.
DEFAULT_TIMEOUT = 24 * 60 * 60


def init_app(app: Flask) -> None:
    """Bind the cache to the app: Redis at CACHE_URL (or REDIS_URL), else a per-process SimpleCache."""
    url = app.config.get("CACHE_URL")
    settings = {
        "CACHE_DEFAULT_TIMEOUT": DEFAULT_TIMEOUT,
        "CACHE_KEY_PREFIX": app.config.get("CACHE_KEY_PREFIX", "lms:"),
    }
    if url:
        settings |= {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url}
    else:
        settings |= {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 500}
    cache.init_app(app, config=settings)
