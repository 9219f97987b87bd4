"""The application changelist: its columns, filters and search, fast at a million rows.

It never counts (`count_free`, alliance/adminsite.py): a page is one query of 101 rows
in the default order (-updated_at, -pk), which the index `application_sync`
(updated_at, id) serves read backwards, with or without a filter on state or programme.
The filters' choices come from the fields' choices and the programme table, never from a
`SELECT DISTINCT` over the applications. The search by start-up name is Django's
`UPPER(name) LIKE UPPER('%…%')`, which the trigram index `startup_name_trgm` serves on
PostgreSQL (startups/migrations/0002_startup_name_trigram.py).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from exchanges import access
from exchanges.models import ExchangeProgramme


class VisibleProgrammeFilter(admin.RelatedFieldListFilter):
    """The programmes the user may see, read from the programme table."""

    def field_choices(self, field, request, model_admin) -> list[tuple[int, str]]:
        # Only the titles (in every language, for the fallback): a programme's row is wide.
        titles = [f.attname for f in ExchangeProgramme._meta.fields if f.name.startswith("title")]
        programmes = access.visible_programmes(request.user).only("pk", *titles)
        return [(programme.pk, str(programme)) for programme in programmes]


class ApplicationListMixin:
    list_display = (
        "startup",
        "programme",
        "state",
        "pending_decision",
        "rank",
        "review_count",
        "review_score",
        "review_spread",
        "submitted_at",
        "confirm_by",
        "updated_at",
    )
    list_filter = ("state", "pending_decision", ("programme", VisibleProgrammeFilter))
    list_select_related = ("startup", "programme")
    search_fields = ("startup__name",)
    search_help_text = _("Finds applications by part of their start-up's name.")
    count_free = True
    show_full_result_count = False
    list_per_page = 100
