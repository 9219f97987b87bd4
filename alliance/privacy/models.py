"""A user's data export: requested, built by a task, downloadable until it expires."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.private_files import private_storage


class DataExportQuerySet(models.QuerySet):
    def pending(self) -> "DataExportQuerySet":
        return self.filter(ready_at__isnull=True)

    def downloadable(self, now=None) -> "DataExportQuerySet":
        return self.filter(ready_at__isnull=False, expires_at__gt=now or timezone.now())


class DataExport(models.Model):
    """A ZIP of everything the portal holds about a user, stored as a private file."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="data_exports",
        verbose_name=_("user"),
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    ready_at = models.DateTimeField(_("ready"), null=True, blank=True)
    file = models.FileField(_("file"), storage=private_storage, max_length=200, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    objects = DataExportQuerySet.as_manager()

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # The rate limit: one export being built per user at a time.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(ready_at__isnull=True),
                name="data_export_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.requested_at:%Y-%m-%d %H:%M}"
