"""The models moved to alliance.accounts.models and alliance.mail.models."""

# Moved; re-exported until every import uses the new path.
from alliance.accounts.models import User, UserManager  # noqa: F401
from alliance.accounts.validators import language_choices, validate_time_zone  # noqa: F401
from alliance.mail.models import EmailMessage, EmailStatus, EmailTemplate, SentNotice  # noqa: F401
