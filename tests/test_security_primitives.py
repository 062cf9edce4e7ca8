"""Password hashing and policy, provisional passwords, encrypted secrets, hashed tokens."""

import re

import pytest

from teleservices.security import passwords, secrets_box


def test_hash_is_argon2id_and_verifies():
    digest = passwords.hash_password("soleil2024")
    assert digest.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert "soleil2024" not in digest
    assert passwords.verify_password(digest, "soleil2024")
    assert not passwords.verify_password(digest, "soleil2025")
    assert not passwords.verify_password(None, "soleil2024")
    assert not passwords.verify_password("not-a-hash", "soleil2024")


@pytest.mark.parametrize("candidate", ["abcd1234", "Motdepasse14x2", "école2024"])
def test_policy_accepts_8_to_14_with_letters_and_digits(candidate):
    assert passwords.policy_errors(candidate) == []


@pytest.mark.parametrize("candidate", ["abc123", "abcdefgh", "12345678", "abcdefghijk1234"])
def test_policy_refuses(candidate):
    assert passwords.policy_errors(candidate) == [passwords.POLICY_MESSAGE]


def test_provisional_passwords_are_8_lowercase_and_digits():
    samples = {passwords.new_provisional_password() for _ in range(200)}
    assert len(samples) == 200
    for value in samples:
        assert re.fullmatch(r"[a-z0-9]{8}", value)
        assert re.search(r"\d", value) and re.search(r"[a-z]", value)


def test_encrypted_secrets_round_trip_and_fail_closed(make_app):
    app = make_app()
    with app.app_context():
        stored = secrets_box.encrypt("k3j9x2pa")
        assert "k3j9x2pa" not in stored
        assert secrets_box.decrypt(stored) == "k3j9x2pa"
        assert secrets_box.decrypt("garbage") is None
    other = make_app(FERNET_KEY="b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMDE=")
    with other.app_context():
        assert secrets_box.decrypt(stored) is None


def test_tokens_are_stored_as_digests():
    token, digest = secrets_box.new_token()
    assert token not in digest and len(digest) == 64
    assert secrets_box.same_digest(token, digest)
    assert not secrets_box.same_digest(token + "x", digest)
