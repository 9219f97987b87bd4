"""The notices moved to alliance.mail.notices."""

# Moved; re-exported until every import uses the new path.
from alliance.mail.notices import first_time, opt_out, person_for, unsubscribe_url  # noqa: F401
