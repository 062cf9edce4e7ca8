"""Secrets at rest: Fernet encryption of provisional passwords, hashed single-use tokens.

Provisional passwords must be re-printable by the establishment until activation, so they are kept
encrypted (key ``TELESERVICES_FERNET_KEY``), never in clear. Link tokens (e-mail confirmation,
password reset) are random; only their SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


def _fernet() -> Fernet:
    return Fernet(current_app.config["FERNET_KEY"].encode())


def encrypt(value: str) -> str:
    """Encrypt a short secret with the platform's Fernet key."""
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str | None:
    """Decrypt a value of ``encrypt``; None when the key changed or the value is corrupt."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def new_token() -> tuple[str, str]:
    """A random URL-safe token and the SHA-256 digest to store in its place."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same_digest(token: str, digest: str) -> bool:
    """Constant-time comparison of a presented token with a stored digest."""
    return hmac.compare_digest(token_digest(token), digest)
