"""The application changelist: its columns, filters and search, fast at a million rows."""


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
    list_filter = ("state", "pending_decision", "programme")
    list_select_related = ("startup", "programme")
    search_fields = ("startup__name",)
