"""Polish short dates with dots, "21.12.2026 21:28", as Polish writes them.

Django's are "21-12-2026  21:28" (hyphens, two spaces). Only how dates are shown; what
forms accept stays Django's (which reads dots first).
"""

SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
