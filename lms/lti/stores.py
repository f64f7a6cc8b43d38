"""What the protocol needs to remember, as interfaces the app fills in (Flask-Caching fits `Cache`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from .config import PlatformConfig


class Cache(Protocol):
    """A key-value cache with expiry; Flask-Caching's `cache` object has exactly these methods."""

    def get(self, key: str) -> Any: ...

    def set(self, key: str, value: Any, timeout: int | None = None) -> Any: ...

    def delete(self, key: str) -> Any: ...


class NonceStore(Protocol):
    """Nonces issued at login, each accepted once at launch."""

    def add(self, nonce: str, ttl: int) -> None: ...

    def consume(self, nonce: str) -> bool: ...


class PlatformLookup(Protocol):
    """The registered platforms, found by issuer and client id (None when the platform did not send one)."""

    def find(self, issuer: str, client_id: str | None) -> PlatformConfig | None: ...


class MemoryCache:
    """A thread-safe in-process cache with expiry, for one process and for tests."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._items: dict[str, tuple[Any, float]] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def get(self, key: str) -> Any:
        """The value, or None when absent or expired."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[1] <= self._clock():
                del self._items[key]
                return None
            return item[0]

    def set(self, key: str, value: Any, timeout: int | None = None) -> bool:
        """Keep `value` for `timeout` seconds (a day when None)."""
        with self._lock:
            self._items[key] = (value, self._clock() + (86400 if timeout is None else timeout))
        return True

    def delete(self, key: str) -> bool:
        """Forget `key`; True when it was there and not expired."""
        with self._lock:
            item = self._items.pop(key, None)
            return item is not None and item[1] > self._clock()


class CacheNonceStore:
    """Nonces kept in a shared cache; consuming is the cache's delete, atomic in Redis, so a nonce works once."""

    prefix = "lti-nonce:"

    def __init__(self, cache: Cache) -> None:
        self._cache = cache

    def add(self, nonce: str, ttl: int) -> None:
        """Remember a nonce issued at login for `ttl` seconds."""
        self._cache.set(self.prefix + nonce, 1, timeout=ttl)

    def consume(self, nonce: str) -> bool:
        """True the first time a nonce we issued comes back, False after that or when it was never issued."""
        key = self.prefix + nonce
        # The read first refuses every nonce on a cache that keeps nothing (Flask-Caching's NullCache says
        # yes to every delete); the delete's answer then decides between two concurrent launches.
        if self._cache.get(key) is None:
            return False
        return bool(self._cache.delete(key))


class PlatformList:
    """Platforms held in memory, for configuration given in code or settings."""

    def __init__(self, platforms: Iterable[PlatformConfig]) -> None:
        self._platforms = tuple(platforms)

    def find(self, issuer: str, client_id: str | None) -> PlatformConfig | None:
        """The platform with this issuer and client id; without a client id, the only one with this issuer."""
        matches = [p for p in self._platforms if p.issuer == issuer and client_id in (None, p.client_id)]
        return matches[0] if len(matches) == 1 else None
