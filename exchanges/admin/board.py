"""A programme's decision board: every submitted application, staged and announced here.

Everyone who may see the programme's applications reads the board; only those who decide
on it (`access.may_decide`) stage and announce. Announcing goes through a confirmation
page that shows the very emails the announcement writes (`pipeline.preview_announcement`)
and refuses to announce when the staged decisions changed since that page was shown.
"""

from functools import partial
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from alliance.errors import DomainError, show_errors
from alliance.forms import RowsField
from exchanges import access, pipeline, services
from exchanges.admin.applications import WaitlistForm
from exchanges.models import STAGEABLE, Application, ExchangeProgramme, State, Verb

CLEAR = "clear"
STAGE_CHOICES = [
    (Verb.SHORTLIST.value, gettext_lazy("stage: shortlist")),
    (Verb.WAITLIST.value, gettext_lazy("stage: waitlist")),
    (Verb.ACCEPT.value, gettext_lazy("stage: accept")),
    (Verb.REJECT.value, gettext_lazy("stage: reject")),
    (CLEAR, gettext_lazy("clear the staged decision")),
]
DONE = {
    Verb.SHORTLIST.value: gettext_lazy("staged for the shortlist"),
    Verb.WAITLIST.value: gettext_lazy("staged for the waitlist"),
    Verb.ACCEPT.value: gettext_lazy("staged for acceptance"),
    Verb.REJECT.value: gettext_lazy("staged for rejection"),
    CLEAR: gettext_lazy("staged decision cleared"),
}
# The board's columns: (name for `?o=`, or "" when it does not sort; heading).
COLUMNS = [
    ("startup", gettext_lazy("start-up")),
    ("city", gettext_lazy("origin city")),
    ("", gettext_lazy("eligibility")),
    ("reviews", gettext_lazy("reviews")),
    ("score", gettext_lazy("weighted average")),
    ("spread", gettext_lazy("spread")),
    ("", gettext_lazy("recommendations")),
    ("state", gettext_lazy("state")),
    ("staged", gettext_lazy("staged decision")),
    ("submitted", gettext_lazy("submitted")),
]


class StageForm(WaitlistForm):
    """Stage one decision (or clear it) for the selected applications, as the actions do."""

    decision = forms.ChoiceField(label=gettext_lazy("decision"), choices=STAGE_CHOICES)
    selected = RowsField(
        label=gettext_lazy("applications"),
        queryset=Application.objects.none(),
        error_messages={"required": gettext_lazy("Select at least one application.")},
    )

    def __init__(self, *args, programme: ExchangeProgramme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["selected"].queryset = programme.applications.exclude(
            state=State.DRAFT
        ).select_related("programme", "startup")


def urls(model_admin) -> list:
    """The board's URLs, under the programme admin's."""
    site = model_admin.admin_site
    return [
        path(
            "<int:programme_id>/board/",
            site.admin_view(partial(board_view, model_admin)),
            name="exchanges_exchangeprogramme_board",
        ),
        path(
            "<int:programme_id>/board/announce/",
            site.admin_view(partial(announce_view, model_admin)),
            name="exchanges_exchangeprogramme_announce",
        ),
    ]


@admin.display(description=gettext_lazy("decision board"))
def board_link(programme: ExchangeProgramme) -> str:
    """A link to the programme's board, for the programme list."""
    return format_html(
        '<a href="{}">{}</a>',
        reverse("admin:exchanges_exchangeprogramme_board", args=[programme.pk]),
        _("Decision board"),
    )


def _programme(request: HttpRequest, programme_id: int) -> ExchangeProgramme:
    """The programme, if the user may see its applications (else 404, as the admin does)."""
    return get_object_or_404(
        access.visible_programmes(request.user)
        .select_related("host_city")
        .prefetch_related("eligible_origin_cities"),
        pk=programme_id,
    )


def _board_url(programme: ExchangeProgramme, query: str = "") -> str:
    url = reverse("admin:exchanges_exchangeprogramme_board", args=[programme.pk])
    return f"{url}?{query}" if query else url


def _context(model_admin, request: HttpRequest, programme: ExchangeProgramme, title) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": programme,
        "programme": programme,
        "title": title,
        "subtitle": None,
        "board_url": _board_url(programme),
    }


def _columns(order: str, query: dict) -> list[dict]:
    """Each heading with the link that sorts by it (again: the other way round)."""
    columns = []
    for name, label in COLUMNS:
        column = {"label": label, "name": name, "sorted": ""}
        if name:
            if order == name:
                column["sorted"], target = "ascending", f"-{name}"
            elif order == f"-{name}":
                column["sorted"], target = "descending", name
            else:
                target = name
            column["url"] = "?" + urlencode({**query, "o": target})
        columns.append(column)
    return columns


def board_view(model_admin, request: HttpRequest, programme_id: int) -> HttpResponse:
    """The board: every submitted application; staging for those who decide."""
    programme = _programme(request, programme_id)
    decides = access.may_decide(request.user, programme)
    form = None
    if request.method == "POST":
        if not decides:
            raise PermissionDenied
        form = StageForm(request.POST, programme=programme)
        if form.is_valid():
            _stage(request, programme, form)
            return HttpResponseRedirect(_board_url(programme, request.GET.urlencode()))
    elif request.method != "GET":
        return HttpResponse(status=405)
    order, _terms = pipeline.board_ordering(request.GET.get("o", ""))
    state = request.GET.get("state", "")
    state = state if state in pipeline.BOARD_STATES else ""
    staged = request.GET.get("staged", "")
    staged = staged if staged in {*STAGEABLE, pipeline.STAGED_ANY, pipeline.STAGED_NONE} else ""
    filters = {key: value for key, value in {"state": state, "staged": staged}.items() if value}
    number = request.GET.get("p", "1")
    number = int(number) if number.isascii() and number.isdigit() and 0 < len(number) < 7 else 1
    page = pipeline.board_rows(
        programme, order=order, state=state, staged=staged, page=max(number, 1)
    )
    selected = {str(pk) for pk in request.POST.getlist("selected")} if form else set()
    title = _("Decision board: %(programme)s") % {"programme": programme}
    context = {
        **_context(model_admin, request, programme, title),
        "rows": page.rows,
        "page": page,
        "previous_url": "?" + urlencode({**request.GET.dict(), "p": page.number - 1}),
        "next_url": "?" + urlencode({**request.GET.dict(), "p": page.number + 1}),
        "selected": selected,
        "seats": pipeline.seat_summary(programme),
        "decides": decides,
        "form": form or StageForm(programme=programme),
        "columns": _columns(order, filters),
        "order": order,
        "state": state,
        "staged": staged,
        "state_choices": [(value.value, value.label) for value in pipeline.BOARD_STATES],
        "staged_choices": [
            (pipeline.STAGED_ANY, _("any staged decision")),
            (pipeline.STAGED_NONE, _("nothing staged")),
            *((verb.value, verb.label) for verb in STAGEABLE),
        ],
        "query": request.GET.urlencode(),
        "filter_query": urlencode({"o": order}),
        "announce_url": reverse("admin:exchanges_exchangeprogramme_announce", args=[programme.pk]),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/exchanges/board/board.html", context)


def _stage(request: HttpRequest, programme: ExchangeProgramme, form: StageForm) -> None:
    """Stage (or clear) the decision for each selected application, in the order listed."""
    data = form.cleaned_data
    order = [str(pk) for pk in request.POST.getlist("selected")]
    applications = sorted(data["selected"], key=lambda a: order.index(str(a.pk)))
    decision, rank, count = data["decision"], data.get("rank"), 0
    for position, application in enumerate(applications):
        try:
            if decision == CLEAR:
                services.clear_staged_decision(application, by=request.user)
            else:
                services.stage_decision(
                    application,
                    verb=Verb(decision),
                    by=request.user,
                    # Several waitlisted at once take consecutive ranks, in the order listed.
                    rank=rank + position if rank and decision == Verb.WAITLIST else None,
                    comment=data["comment"],
                    share_comment=data["share_comment"],
                )
        except DomainError as error:
            messages.error(request, f"{application.startup.name}: {error}")
        except ValidationError as error:
            messages.error(request, f"{application.startup.name}: {' '.join(error.messages)}")
        else:
            count += 1
    if count:
        messages.success(
            request,
            ngettext("%(count)d application: %(verb)s.", "%(count)d applications: %(verb)s.", count)
            % {"count": count, "verb": DONE[decision]},
        )
    warning = services.staged_seat_warning(programme)
    if warning:
        messages.warning(request, warning)


def announce_view(model_admin, request: HttpRequest, programme_id: int) -> HttpResponse:
    """The emails an announcement sends, then (confirmed, unchanged) the announcement."""
    programme = _programme(request, programme_id)
    if not access.may_decide(request.user, programme):
        raise PermissionDenied
    if request.method not in {"GET", "POST"}:
        return HttpResponse(status=405)
    if request.method == "POST":
        response = _announce(request, programme, request.POST.get("fingerprint", ""))
        if response:
            return response
    fingerprint = services.staged_fingerprint(programme)
    try:
        preview = pipeline.preview_announcement(programme, by=request.user)
    except DomainError as error:
        show_errors(request, error)
        return HttpResponseRedirect(_board_url(programme))
    title = _("Announce the staged decisions: %(programme)s") % {"programme": programme}
    context = {
        **_context(model_admin, request, programme, title),
        "preview": preview,
        "fingerprint": fingerprint,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/exchanges/board/announce.html", context)


def _announce(request: HttpRequest, programme: ExchangeProgramme, fingerprint: str):
    """Announce if the staged decisions are those previewed; None to show the preview again."""
    try:
        announced = services.announce_decisions(programme, by=request.user, expected=fingerprint)
    except DomainError as error:
        if error.code == "staged_changed":
            messages.warning(request, str(error))
            return None
        show_errors(request, error)
        return HttpResponseRedirect(_board_url(programme))
    messages.success(
        request,
        ngettext("%(count)d decision announced.", "%(count)d decisions announced.", len(announced))
        % {"count": len(announced)},
    )
    return HttpResponseRedirect(_board_url(programme))
