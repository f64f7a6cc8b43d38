"""States of logins that keep them in the platform's storage: marked, and bound to their nonce."""

from __future__ import annotations

import pytest

from lms.lti.storage import is_storage_state, nonce_key, state_key, storage_state, storage_state_matches

SECRET = b"s" * 32


def test_a_storage_state_matches_its_own_nonce_only():
    state = storage_state(SECRET, "nonce-1")
    assert is_storage_state(state)
    assert storage_state_matches(SECRET, state, "nonce-1")
    assert not storage_state_matches(SECRET, state, "nonce-2")
    assert not storage_state_matches(b"t" * 32, state, "nonce-1")


def test_each_storage_state_is_new():
    assert storage_state(SECRET, "nonce-1") != storage_state(SECRET, "nonce-1")


@pytest.mark.parametrize("nonce", [None, "", 42, ["nonce-1"]])
def test_a_missing_or_odd_nonce_matches_nothing(nonce):
    assert not storage_state_matches(SECRET, storage_state(SECRET, "nonce-1"), nonce)


def test_a_tampered_or_made_up_state_matches_nothing():
    state = storage_state(SECRET, "nonce-1")
    random_part, mac = state.removeprefix("ps.").split(".")
    assert not storage_state_matches(SECRET, f"ps.{random_part}x.{mac}", "nonce-1")
    assert not storage_state_matches(SECRET, f"ps.{random_part}.{'0' * len(mac)}", "nonce-1")
    assert not storage_state_matches(SECRET, "ps.made.up", "nonce-1")


@pytest.mark.parametrize("state", [None, "", "plain-random-state", "ps.only-one-dot", "ps.a.b.c"])
def test_other_states_are_not_storage_states(state):
    assert not is_storage_state(state)
    assert not storage_state_matches(SECRET, state, "nonce-1")


def test_the_storage_keys_follow_the_1edtech_example_library():
    assert (state_key("abc"), nonce_key("xyz")) == ("lti_state_abc", "lti_nonce_xyz")
