"""The sync cursor: an opaque token for a position in an organisation's feed.

It holds the (change position, application number) of the last row a client was given;
the next page starts after it. It is not signed: a client can only move within its own
feed with it. A malformed cursor is a 400.
"""

import base64
import binascii
import json

from rest_framework.exceptions import ValidationError


def encode(position: int, ref: int) -> str:
    raw = json.dumps([position, ref], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str) -> tuple[int, int]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        position, ref = json.loads(raw)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
        raise _invalid() from error
    if not all(type(value) is int and 0 <= value < 2**63 for value in (position, ref)):
        raise _invalid()
    return position, ref


def _invalid() -> ValidationError:
    return ValidationError(
        {"cursor": ["Not a cursor this API gave: start again with `updated_since`."]}
    )
