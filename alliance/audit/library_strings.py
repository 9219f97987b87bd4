"""django-auditlog's own strings that staff see, which it ships without German.

Listed here (never called) so that the project's catalogue, which Django reads before
any library's, carries their translations.
"""

from django.utils.translation import gettext_noop

LIBRARY_STRINGS = (
    gettext_noop("log entry"),
    gettext_noop("log entries"),
    gettext_noop("create"),
    gettext_noop("update"),
    gettext_noop("delete"),
    gettext_noop("access"),
    gettext_noop("timestamp"),
    gettext_noop("action"),
    gettext_noop("actor"),
    gettext_noop("content type"),
    gettext_noop("object id"),
    gettext_noop("object pk"),
    gettext_noop("object representation"),
    gettext_noop("Created {repr:s}"),
    gettext_noop("Updated {repr:s}"),
    gettext_noop("Deleted {repr:s}"),
    gettext_noop("Logged {repr:s}"),
)
