"""Exports of applications for staff, as CSV and XLSX, safe from formula injection.

One table, one row per application, the same columns in both formats: the start-up, the
state and staged decision, the texts, one column per question and the reviews' summary.
A selection that spans several programmes stays one table (so it sorts and filters as
one): each programme's questions get their own columns, headed "programme: question".

Every cell a spreadsheet could read as a formula (text starting with = + - @, a tab or a
carriage return) is written as text: in CSV with a leading apostrophe (the usual
defence: the spreadsheet shows the apostrophe and evaluates nothing), in XLSX as a string
cell marked "quote prefix", so the value stays exactly what the founder typed and no
spreadsheet evaluates it. django-import-export's own escaping does not fit: it only
removes a first "=" (changing the value), ignores + - @ tab CR and the headers, and is a
project-wide setting.

Each export is one audit entry per programme (action "access"): who, when, which
programme, the format and the number of applications; nothing of their content.
"""

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from auditlog import get_logentry_model
from auditlog.cid import get_cid
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from alliance.accounts.models import User
from alliance.errors import DomainError
from exchanges import access
from exchanges.models import Application, ExchangeProgramme, Need, ProgrammeQuestion, State

# What a spreadsheet may take for the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

REFUSED = gettext_lazy(
    "You may export only the applications of programmes you are assigned to, "
    "with the permission to export applications."
)

Cell = str | int | Decimal | None


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ExportFile:
    """A finished export: its file name, content type and bytes, and how many rows."""

    name: str
    content_type: str
    content: bytes
    count: int


def export_programme_applications(
    programmes: QuerySet[ExchangeProgramme], *, by: User, file_format: str
) -> ExportFile:
    """Export every submitted application of `programmes` (drafts are not shared)."""
    chosen = list(programmes.order_by("pk"))
    ids = {programme.pk for programme in chosen}
    # `access.may_export` for each programme, in one query.
    if access.exportable_programmes(by).filter(pk__in=ids).count() != len(ids):
        raise DomainError("not_allowed", REFUSED)
    applications = Application.objects.filter(programme__in=ids)
    return _export(applications, programmes=chosen, by=by, file_format=file_format)


def export_selected_applications(
    applications: QuerySet[Application], *, by: User, file_format: str
) -> ExportFile:
    """Export the selected applications (their drafts left out) if `by` may see each."""
    selected = dict(applications.values_list("pk", "programme_id"))
    ids = set(selected.values())
    # `access.may_export` for each programme of the selection, in one query; whoever may
    # export a programme sees its applications (`access.visible_applications`).
    if access.exportable_programmes(by).filter(pk__in=ids).count() != len(ids):
        raise DomainError("not_allowed", REFUSED)
    chosen = list(ExchangeProgramme.objects.filter(pk__in=ids).order_by("pk"))
    rows = Application.objects.filter(pk__in=selected)
    return _export(rows, programmes=chosen, by=by, file_format=file_format)


def _export(
    applications: QuerySet[Application],
    *,
    programmes: list[ExchangeProgramme],
    by: User,
    file_format: str,
) -> ExportFile:
    if file_format not in ExportFormat.values:
        raise DomainError("unknown_format", gettext_lazy("Unknown export format."))
    order = {programme.pk: position for position, programme in enumerate(programmes)}
    questions = sorted(
        ProgrammeQuestion.objects.filter(programme__in=order),
        key=lambda question: (order[question.programme_id], question.position, question.pk),
    )
    rows = list(
        applications.exclude(state=State.DRAFT)
        .select_related("programme", "startup__city")
        .prefetch_related("answers")
        .order_by("programme_id", "submitted_at", "pk")
    )
    titles = {programme.pk: programme.title for programme in programmes}
    table = [_header(questions, titles=titles if len(programmes) > 1 else None)]
    table += [_row(application, questions) for application in rows]
    content = _csv(table) if file_format == ExportFormat.CSV else _xlsx(table)
    _log(programmes, rows, by=by, file_format=file_format)
    slug = programmes[0].slug if len(programmes) == 1 else "selection"
    name = f"applications-{slug}-{timezone.localdate().isoformat()}.{file_format}"
    return ExportFile(name, CONTENT_TYPES[file_format], content, len(rows))


def _header(questions: list[ProgrammeQuestion], *, titles: dict[int, str] | None) -> list[Cell]:
    def question_header(question: ProgrammeQuestion) -> str:
        if titles is None:
            return question.text
        return f"{titles[question.programme_id]}: {question.text}"

    return [
        _("programme"),
        _("start-up"),
        _("city"),
        _("sector"),
        _("stage"),
        _("website"),
        _("state"),
        _("staged decision"),
        _("submitted (%(zone)s)") % {"zone": timezone.get_current_timezone_name()},
        _("motivation"),
        _("goals in the market"),
        _("needs"),
        *(question_header(question) for question in questions),
        _("reviews"),
        _("weighted average"),
        _("spread"),
    ]


def _row(application: Application, questions: list[ProgrammeQuestion]) -> list[Cell]:
    startup = application.startup
    answers = {answer.question_id: answer.value for answer in application.answers.all()}
    needs = [str(Need(need).label) for need in application.needs if need in Need.values]
    return [
        application.programme.title,
        startup.name,
        startup.home_city_name,
        startup.get_sector_display(),
        startup.get_stage_display(),
        startup.website,
        application.get_state_display(),
        application.get_pending_decision_display(),
        _moment(application.submitted_at),
        application.motivation,
        application.goals,
        ", ".join(needs),
        # Another programme's questions have no answers here: their cells stay empty.
        *(answers.get(question.pk, "") for question in questions),
        application.review_count,
        application.review_score,
        application.review_spread,
    ]


def _moment(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _dangerous(value: Cell) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _csv(table: list[list[Cell]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in table:
        writer.writerow(
            [
                f"'{value}" if _dangerous(value) else "" if value is None else str(value)
                for value in row
            ]
        )
    # With a byte order mark, spreadsheets read the file as UTF-8 (umlauts, Hebrew).
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx(table: list[list[Cell]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Applications")
    for row in table:
        sheet.append(
            [
                ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value)
                if isinstance(value, str)
                else value
                for value in row
            ]
        )
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f" or _dangerous(cell.value):
                cell.data_type = "s"  # a string, never a formula
                cell.quotePrefix = True  # and shown, and kept when edited, as text
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _log(
    programmes: list[ExchangeProgramme], rows: list[Application], *, by: User, file_format: str
) -> None:
    """One audit entry per programme: who exported how many of its applications."""
    entry_model = get_logentry_model()
    content_type = ContentType.objects.get_for_model(ExchangeProgramme)
    counts = {programme.pk: 0 for programme in programmes}
    for application in rows:
        counts[application.programme_id] += 1
    cid = get_cid()
    entry_model.objects.bulk_create(
        entry_model(
            content_type=content_type,
            object_pk=str(programme.pk),
            object_id=programme.pk,
            object_repr=str(programme),
            action=entry_model.Action.ACCESS,
            actor=by,
            actor_email=by.email,
            cid=cid,
            additional_data={
                "export": "applications",
                "format": file_format,
                "applications": counts[programme.pk],
            },
        )
        for programme in programmes
    )
