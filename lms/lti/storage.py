"""LTI client-side OIDC storage (1EdTech "OIDC login with LTI Client Side postMessages"): storage states.

When the browser blocks the tool's cookies in the platform's frame, the tool's page stores the state
and the nonce in the platform's storage frame with `lti.put_data`, and reads them back at the launch
with `lti.get_data`. Such a state is marked and bound to its nonce with an HMAC, so that the server
knows, with no record of its own, that a launch without a state cookie belongs to a login of this
tool that used the platform's storage, and that the state and the nonce were issued together.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

STORAGE_STATE_PREFIX = "ps."
STATE_KEY_PREFIX = "lti_state_"
NONCE_KEY_PREFIX = "lti_nonce_"


def _mac(secret: bytes, random_part: str, nonce: str) -> str:
    return hmac.new(secret, f"lti-storage-state\n{random_part}\n{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def storage_state(secret: bytes, nonce: str) -> str:
    """A fresh state for a login whose state goes to the platform's storage, bound to `nonce`."""
    random_part = secrets.token_urlsafe(24)
    return f"{STORAGE_STATE_PREFIX}{random_part}.{_mac(secret, random_part, nonce)}"


def is_storage_state(state: str | None) -> bool:
    """Whether the state says its login kept it in the platform's storage (not yet whether it is genuine)."""
    return bool(state) and state.startswith(STORAGE_STATE_PREFIX) and state.count(".") == 2


def storage_state_matches(secret: bytes, state: str | None, nonce: object) -> bool:
    """Whether this tool issued `state` for a storage login together with `nonce`."""
    if not is_storage_state(state) or not isinstance(nonce, str) or not nonce:
        return False
    random_part, _, mac = state.removeprefix(STORAGE_STATE_PREFIX).partition(".")
    return hmac.compare_digest(mac.encode(), _mac(secret, random_part, nonce).encode())


def state_key(state: str) -> str:
    """The key the state is stored under in the platform's storage (as 1EdTech's example library names it)."""
    return STATE_KEY_PREFIX + state


def nonce_key(nonce: str) -> str:
    """The key the nonce is stored under in the platform's storage."""
    return NONCE_KEY_PREFIX + nonce
