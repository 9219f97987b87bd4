"""The email templates moved to alliance.mail.templates."""

# Moved; re-exported until every import uses the new path.
from alliance.mail.templates import (  # noqa: F401
    default_keys,
    file_default,
    file_placeholders,
    fill,
    placeholder_problems,
    sync_defaults,
)
