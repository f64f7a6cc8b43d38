"""The tool's signing key (LTI_PRIVATE_KEY, else a key made once in instance/) and the retired keys still published."""

from __future__ import annotations

import os
import threading
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from ...extensions import db
from ...lti.keys import KeySet, RetiredKey, ToolKey
from ...models import LtiRetiredKey, utcnow

_loaded: dict[str, ToolKey] = {}
_lock = threading.Lock()


def current_key(pem: str | None, key_file: Path) -> ToolKey:
    """The signing key: from `pem` when set, else from `key_file`, made there on first use; raises ValueError."""
    source = pem or str(key_file)
    with _lock:
        key = _loaded.get(source)
        if key is not None:
            return key
        if pem:
            key = ToolKey.from_pem(pem)
        elif key_file.exists():
            key = ToolKey.from_pem(key_file.read_text())
        else:
            key = ToolKey.generate()
            _write_private(key_file, key.private_pem())
        _loaded[source] = key
        return key


def _write_private(path: Path, pem: str) -> None:
    """Write a private key readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(pem)


def tool_keyset(pem: str | None, key_file: Path, now: datetime | None = None) -> KeySet:
    """The current key and the retired public keys that have not expired."""
    now = now or utcnow()
    rows = db.session.execute(select(LtiRetiredKey).where(LtiRetiredKey.expires_at > now)).scalars()
    retired = tuple(RetiredKey.from_pem(row.kid, row.public_pem, row.expires_at) for row in rows)
    return KeySet(current_key(pem, key_file), retired)


def rotate_key_file(key_file: Path, keep_old_for: timedelta) -> ToolKey:
    """Make a new key in `key_file`, keeping the old public key published for `keep_old_for`; raises ValueError."""
    old = current_key(None, key_file)
    new = ToolKey.generate()
    db.session.merge(LtiRetiredKey(kid=old.kid, public_pem=old.public_pem(), expires_at=utcnow() + keep_old_for))
    db.session.flush()
    _write_private(key_file, new.private_pem())
    with _lock:
        _loaded[str(key_file)] = new
    return new
