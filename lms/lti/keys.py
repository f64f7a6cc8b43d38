"""The tool's RSA signing keys: generate, load from PEM, rotate, and publish them as a JWKS document."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KEY_BITS = 2048
ALGORITHM = "RS256"


def public_jwk(public_key: rsa.RSAPublicKey, kid: str) -> dict[str, Any]:
    """The public JWK of a key, marked for RS256 signatures."""
    jwk = RSAAlgorithm.to_jwk(public_key, as_dict=True)
    return {"kty": "RSA", "e": jwk["e"], "n": jwk["n"], "kid": kid, "alg": ALGORITHM, "use": "sig"}


def thumbprint(public_key: rsa.RSAPublicKey) -> str:
    """The RFC 7638 SHA-256 thumbprint of a public key, used as its `kid` so that it is stable across processes."""
    jwk = RSAAlgorithm.to_jwk(public_key, as_dict=True)
    canonical = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass(frozen=True)
class ToolKey:
    """A private signing key and its `kid`."""

    kid: str
    private_key: rsa.RSAPrivateKey

    @classmethod
    def generate(cls) -> ToolKey:
        """Make a fresh 2048-bit RSA key."""
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
        return cls(kid=thumbprint(private_key.public_key()), private_key=private_key)

    @classmethod
    def from_pem(cls, pem: str | bytes, kid: str | None = None) -> ToolKey:
        """Load an unencrypted PKCS#8 or PKCS#1 RSA private key; raises ValueError when it is not one."""
        data = pem.encode() if isinstance(pem, str) else pem
        try:
            private_key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError) as error:
            raise ValueError(f"not an unencrypted PEM private key: {error}") from error
        if not isinstance(private_key, rsa.RSAPrivateKey):
            raise ValueError("the LTI tool key must be an RSA key")
        if private_key.key_size < KEY_BITS:
            raise ValueError(f"the LTI tool key needs at least {KEY_BITS} bits, this one has {private_key.key_size}")
        return cls(kid=kid or thumbprint(private_key.public_key()), private_key=private_key)

    def private_pem(self) -> str:
        """The private key as unencrypted PKCS#8 PEM, to keep in `instance/` or the environment."""
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()

    def public_pem(self) -> str:
        """The public key as SubjectPublicKeyInfo PEM, for platforms that take a pasted key."""
        return public_pem(self.private_key.public_key())

    def jwk(self) -> dict[str, Any]:
        """The public JWK of this key."""
        return public_jwk(self.private_key.public_key(), self.kid)


def public_pem(public_key: rsa.RSAPublicKey) -> str:
    """A public key as SubjectPublicKeyInfo PEM."""
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


@dataclass(frozen=True)
class RetiredKey:
    """A public key no longer used for signing, still published until `expires_at`."""

    kid: str
    public_key: rsa.RSAPublicKey
    expires_at: datetime

    @classmethod
    def from_pem(cls, kid: str, pem: str, expires_at: datetime) -> RetiredKey:
        """Load a retired key kept as public PEM; raises ValueError when it is not an RSA public key."""
        public_key = serialization.load_pem_public_key(pem.encode())
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise ValueError("a retired LTI tool key must be an RSA public key")
        return cls(kid=kid, public_key=public_key, expires_at=expires_at)


@dataclass(frozen=True)
class KeySet:
    """The signing key in use plus retired public keys that platforms may still hold tokens for."""

    current: ToolKey
    retired: tuple[RetiredKey, ...] = field(default=())

    def rotate(self, new_key: ToolKey, *, keep_old_for: timedelta, now: datetime) -> KeySet:
        """Sign with `new_key` from now on and keep publishing the old public key for `keep_old_for`."""
        old = RetiredKey(self.current.kid, self.current.private_key.public_key(), now + keep_old_for)
        return KeySet(current=new_key, retired=(*self.live_retired(now), old))

    def live_retired(self, now: datetime) -> tuple[RetiredKey, ...]:
        """The retired keys that have not expired yet."""
        return tuple(key for key in self.retired if key.expires_at > now)

    def jwks(self, now: datetime) -> dict[str, list[dict[str, Any]]]:
        """The JWKS document: the current key first, then the retired keys that have not expired."""
        retired = [public_jwk(key.public_key, key.kid) for key in self.live_retired(now)]
        return {"keys": [self.current.jwk(), *retired]}
