"""The in-memory cache and the cache-backed nonce store, and looking platforms up."""

from __future__ import annotations

from lms.lti.config import PlatformConfig
from lms.lti.stores import CacheNonceStore, MemoryCache, PlatformList


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_cached_values_expire():
    clock = Clock()
    cache = MemoryCache(clock)
    cache.set("a", {"keys": []}, timeout=10)
    assert cache.get("a") == {"keys": []}
    clock.now += 11
    assert cache.get("a") is None
    assert cache.delete("a") is False


def test_a_nonce_is_accepted_once_and_only_if_issued_and_unexpired():
    clock = Clock()
    nonces = CacheNonceStore(MemoryCache(clock))
    nonces.add("n1", 60)
    nonces.add("n2", 60)
    assert nonces.consume("n1") is True
    assert nonces.consume("n1") is False
    assert nonces.consume("never-issued") is False
    clock.now += 61
    assert nonces.consume("n2") is False


class ForgetfulCache:
    """A cache that keeps nothing and says yes to every delete, as Flask-Caching's NullCache does."""

    def get(self, key):
        return None

    def set(self, key, value, timeout=None):
        return True

    def delete(self, key):
        return True


def test_a_cache_that_keeps_nothing_accepts_no_nonce():
    nonces = CacheNonceStore(ForgetfulCache())
    nonces.add("n1", 60)
    assert nonces.consume("n1") is False


def platform(issuer: str, client_id: str) -> PlatformConfig:
    return PlatformConfig(issuer, client_id, "https://p/auth", "https://p/token", "https://p/jwks")


def test_platforms_are_found_by_issuer_and_client_id():
    a, b, c = platform("https://canvas", "1"), platform("https://canvas", "2"), platform("https://moodle", "9")
    platforms = PlatformList([a, b, c])
    assert platforms.find("https://canvas", "2") is b
    assert platforms.find("https://moodle", None) is c
    assert platforms.find("https://canvas", None) is None, "ambiguous without a client id"
    assert platforms.find("https://canvas", "3") is None
    assert platforms.find("https://other", "1") is None
    assert platform("https://x", "1").assertion_audience == "https://p/token"
