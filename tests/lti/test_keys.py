"""Tool keys: generation, PEM round trip with a stable kid, rotation keeping the old key published until expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from lms.lti.keys import KeySet, RetiredKey, ToolKey

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_a_key_loaded_from_its_pem_has_the_same_kid_and_signs_verifiably(tool_key):
    loaded = ToolKey.from_pem(tool_key.private_pem())
    assert loaded.kid == tool_key.kid
    token = jwt.encode({"a": 1}, loaded.private_key, algorithm="RS256")
    assert jwt.decode(token, jwt.PyJWK(tool_key.jwk()).key, algorithms=["RS256"]) == {"a": 1}


def test_a_kid_can_be_given(tool_key):
    assert ToolKey.from_pem(tool_key.private_pem(), kid="2026-12").kid == "2026-12"


def test_the_public_jwk_carries_no_private_part(tool_key):
    jwk = tool_key.jwk()
    assert set(jwk) == {"kty", "e", "n", "kid", "alg", "use"}
    assert (jwk["kty"], jwk["alg"], jwk["use"]) == ("RSA", "RS256", "sig")
    assert tool_key.public_pem().startswith("-----BEGIN PUBLIC KEY-----")


def pem_of(private_key) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@pytest.mark.parametrize(
    ("pem", "problem"),
    [
        ("not a key", "PEM"),
        (lambda: pem_of(ec.generate_private_key(ec.SECP256R1())), "RSA"),
        (lambda: pem_of(rsa.generate_private_key(public_exponent=65537, key_size=1024)), "2048"),
    ],
)
def test_a_pem_that_is_not_a_usable_rsa_key_is_refused(pem, problem):
    with pytest.raises(ValueError, match=problem):
        ToolKey.from_pem(pem() if callable(pem) else pem)


def test_rotation_keeps_the_old_public_key_published_until_it_expires(tool_key):
    new = ToolKey.generate()
    rotated = KeySet(tool_key).rotate(new, keep_old_for=timedelta(days=2), now=NOW)
    assert rotated.current is new
    assert [key["kid"] for key in rotated.jwks(NOW)["keys"]] == [new.kid, tool_key.kid]
    assert [key["kid"] for key in rotated.jwks(NOW + timedelta(days=3))["keys"]] == [new.kid]


def test_rotating_again_drops_keys_that_have_expired(tool_key):
    second, third = ToolKey.generate(), ToolKey.generate()
    keys = KeySet(tool_key).rotate(second, keep_old_for=timedelta(days=1), now=NOW)
    keys = keys.rotate(third, keep_old_for=timedelta(days=1), now=NOW + timedelta(days=2))
    assert [key.kid for key in keys.retired] == [second.kid]


def test_a_retired_key_is_kept_as_public_pem(tool_key):
    retired = RetiredKey.from_pem(tool_key.kid, tool_key.public_pem(), NOW)
    assert KeySet(ToolKey.generate(), (retired,)).jwks(NOW - timedelta(seconds=1))["keys"][1] == tool_key.jwk()
    with pytest.raises(ValueError):
        RetiredKey.from_pem(
            "k",
            ec.generate_private_key(ec.SECP256R1())
            .public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode(),
            NOW,
        )
