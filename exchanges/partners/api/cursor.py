"""The sync cursor: an opaque token for a position in an organisation's feed.

It holds the (change position, application number) of the last row a client was given,
as 32 hexadecimal digits; the next page starts after it. It is not signed: a client can
only move within its own feed with it. Every string of the documented pattern is a
position (so a generated one is valid, if pointless); anything else is a 400.
"""

import re

from rest_framework.exceptions import ValidationError

PATTERN = "^[0-7][0-9a-f]{15}[0-7][0-9a-f]{15}$"
LAST_REF = 2**63 - 1  # after every application at a position


def encode(position: int, ref: int) -> str:
    return f"{position:016x}{ref:016x}"


def decode(token: str) -> tuple[int, int]:
    if not re.fullmatch(PATTERN, token):
        raise ValidationError(
            {"cursor": ["Not a cursor this API gave: start again with `updated_since`."]}
        )
    return int(token[:16], 16), int(token[16:], 16)
