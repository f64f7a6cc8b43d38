"""Failure counts for guessable secrets: limits that stop a guesser and never an owner on a clean address."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from flask import current_app
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many

from ..extensions import limiter
from ..services.accounts import normalize_email
from .errors import render_error

# One message for every limit, so that it tells nothing about which account or address tripped it.
THROTTLED = "Too many attempts. Wait a few minutes, then try again."


@dataclass(frozen=True)
class FailureLimit:
    """Named rate limits that count only failures (a wrong password, a wrong code), never successes."""

    name: str
    items: tuple[RateLimitItem, ...]

    @classmethod
    def of(cls, name: str, limits: str) -> FailureLimit:
        """Build from Flask-Limiter's notation, e.g. "5 per 15 minutes;20 per day"."""
        return cls(name, tuple(parse_many(limits)))

    def wait(self, key: str) -> float | None:
        """Seconds until the key may fail again if any of the limits is spent, else None."""
        if not limiter.enabled:
            return None
        waits = [
            max(limiter.limiter.get_window_stats(item, self.name, key).reset_time - time.time(), 1.0)
            for item in self.items
            if not limiter.limiter.test(item, self.name, key)
        ]
        return max(waits) if waits else None

    def failures(self, key: str) -> int:
        """How many failures the key has in the shortest window."""
        if not limiter.enabled:
            return 0
        item = min(self.items, key=lambda item: item.get_expiry())
        return item.amount - limiter.limiter.get_window_stats(item, self.name, key).remaining

    def record(self, key: str) -> None:
        """Count one failure for the key in every window."""
        if limiter.enabled:
            for item in self.items:
                limiter.limiter.hit(item, self.name, key)


def throttled(wait: float):
    """The styled 429 page with Retry-After (whole seconds)."""
    response = current_app.make_response(render_error(429, THROTTLED))
    response.headers["Retry-After"] = str(math.ceil(wait))
    response.headers["Cache-Control"] = "no-store"
    return response


# Sign-in: tight per (account, address); per address across accounts (one address spraying many);
# and a much higher ceiling per account, which only stops addresses that have failed for it.
SIGN_IN_PER_ACCOUNT_ADDRESS = FailureLimit.of("sign-in:account+address", "5 per 15 minutes;20 per day")
SIGN_IN_PER_ADDRESS = FailureLimit.of("sign-in:address", "30 per hour")
SIGN_IN_PER_ACCOUNT = FailureLimit.of("sign-in:account", "100 per hour")

ENROLLMENT_CODE_PER_USER = FailureLimit.of("enrollment-code:user", "5 per 15 minutes;20 per day")
ENROLLMENT_CODE_PER_ADDRESS = FailureLimit.of("enrollment-code:address", "20 per hour")
# Current-password checks (change password, delete account) need a signed-in session: per account.
CURRENT_PASSWORD_PER_USER = FailureLimit.of("current-password:user", "5 per 15 minutes;20 per day")


def _sign_in_keys(email: str) -> tuple[str, str, str]:
    account = normalize_email(email)[:254]
    address = _address()
    return account, address, f"{account}|{address}"


def sign_in_wait(email: str) -> float | None:
    """Seconds this address must wait before trying this account, or None if it may try now."""
    account, address, pair = _sign_in_keys(email)
    wait = SIGN_IN_PER_ACCOUNT_ADDRESS.wait(pair) or SIGN_IN_PER_ADDRESS.wait(address)
    if wait:
        return wait
    # An account under attack from everywhere still lets in an address that has not failed for it.
    wait = SIGN_IN_PER_ACCOUNT.wait(account)
    if wait and SIGN_IN_PER_ACCOUNT_ADDRESS.failures(pair) > 0:
        return wait
    return None


def sign_in_failed(email: str) -> None:
    """Count a wrong sign-in against the account, the address and the pair."""
    account, address, pair = _sign_in_keys(email)
    SIGN_IN_PER_ACCOUNT_ADDRESS.record(pair)
    SIGN_IN_PER_ADDRESS.record(address)
    SIGN_IN_PER_ACCOUNT.record(account)


def enrollment_code_wait(user_id: int) -> float | None:
    """Seconds before this user, or this address, may try another enrollment code; None if now."""
    return ENROLLMENT_CODE_PER_USER.wait(str(user_id)) or ENROLLMENT_CODE_PER_ADDRESS.wait(_address())


def enrollment_code_failed(user_id: int) -> None:
    """Count a wrong enrollment code against the user and the address."""
    ENROLLMENT_CODE_PER_USER.record(str(user_id))
    ENROLLMENT_CODE_PER_ADDRESS.record(_address())


def current_password_wait(user_id: int) -> float | None:
    """Seconds before this account may have its current password checked again; None if now."""
    return CURRENT_PASSWORD_PER_USER.wait(str(user_id))


def current_password_failed(user_id: int) -> None:
    """Count a wrong current password (password change or account deletion) against the account."""
    CURRENT_PASSWORD_PER_USER.record(str(user_id))


def _address() -> str:
    return get_remote_address() or "unknown"
