"""Exports of applications as CSV and XLSX, safe from formula injection, in the audit log.

The actions only answer with the file `exchanges.exports` made, or with its refusal.
"""

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from alliance.errors import DomainError
from exchanges import exports
from exchanges.exports import ExportFormat


def _respond(modeladmin, request: HttpRequest, make: Callable[[], exports.ExportFile]):
    try:
        export = make()
    except DomainError as error:
        for message in error.messages:
            modeladmin.message_user(request, message, messages.ERROR)
        return None
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = content_disposition_header(True, export.name)
    return response


def _programme_action(file_format: ExportFormat, description):
    @admin.action(description=description, permissions=["export"])
    def action(modeladmin, request: HttpRequest, queryset: QuerySet):
        return _respond(
            modeladmin,
            request,
            lambda: exports.export_programme_applications(
                queryset, by=request.user, file_format=file_format
            ),
        )

    action.__name__ = f"export_applications_{file_format}"
    return action


def _application_action(file_format: ExportFormat, description):
    @admin.action(description=description)
    def action(modeladmin, request: HttpRequest, queryset: QuerySet):
        return _respond(
            modeladmin,
            request,
            lambda: exports.export_selected_applications(
                queryset, by=request.user, file_format=file_format
            ),
        )

    action.__name__ = f"export_selected_{file_format}"
    return action


PROGRAMME_ACTIONS: list = [
    _programme_action(ExportFormat.CSV, _("Export applications (CSV)")),
    _programme_action(ExportFormat.XLSX, _("Export applications (XLSX)")),
]
APPLICATION_ACTIONS: list = [
    _application_action(ExportFormat.CSV, _("Export the selected applications (CSV)")),
    _application_action(ExportFormat.XLSX, _("Export the selected applications (XLSX)")),
]
