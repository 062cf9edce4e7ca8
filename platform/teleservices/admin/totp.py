"""TOTP second factor (RFC 6238) for administrators: secrets, QR code, verification.

A code is accepted within one 30-second step of the server's clock either way, and only once:
the step of the last accepted code is stored, so a code seen over a shoulder cannot be replayed.
"""

from __future__ import annotations

import hmac
import time

import pyotp
import segno

ISSUER = "Téléservices"
VALID_WINDOW = 1


def new_secret() -> str:
    """A fresh base32 secret (160 bits)."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, account_name: str, issuer: str = ISSUER) -> str:
    """The ``otpauth://`` URI authenticator apps read from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=issuer)


def qr_data_uri(uri: str) -> str:
    """The QR code of ``uri`` as an inline SVG data URI (no file, no external service)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def grouped(secret: str) -> str:
    """The secret in groups of four characters, easier to type by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code is ``code`` (within the window), or None."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    moment = time.time() if now is None else now
    current = totp.timecode(moment)
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        if hmac.compare_digest(totp.at(moment, counter_offset=offset), code):
            return current + offset
    return None


def accept(secret: str, code: str, last_step: int | None, now: float | None = None) -> int | None:
    """The step to store when ``code`` is valid and newer than the last one accepted, else None."""
    step = matching_step(secret, code, now)
    if step is None or (last_step is not None and step <= last_step):
        return None
    return step
