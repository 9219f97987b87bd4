"""The outbox's tasks moved to alliance.mail.tasks (their names did not change)."""

# Moved; re-exported until every import uses the new path.
from alliance.mail.tasks import send_emails, sweep_outbox  # noqa: F401
