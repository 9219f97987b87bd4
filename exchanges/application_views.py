"""The founder's side of applying: start a draft, fill it, submit, follow, confirm, withdraw."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from alliance.errors import DomainError, show_errors
from exchanges import queries, rules, services
from exchanges.forms import ApplicationForm, SubmitForm
from exchanges.models import Application, State
from exchanges.partners import queries as partner_queries
from startups.models import Startup


def team_application(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(queries.team_applications(request.user), pk=pk)


@login_required
@require_POST
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    """Start a draft for one of the user's start-ups."""
    programme = get_object_or_404(queries.public_programmes(), slug=slug)
    startup = get_object_or_404(
        Startup.objects.of_user(request.user), slug=request.POST.get("startup")
    )
    existing = Application.objects.filter(programme=programme, startup=startup).first()
    if existing is not None:
        return redirect("exchanges:application-detail", pk=existing.pk)
    try:
        application = services.start_application(programme, startup=startup, by=request.user)
    except DomainError as error:
        existing = Application.objects.filter(programme=programme, startup=startup).first()
        if existing is not None:  # a second click that lost the race
            return redirect("exchanges:application-detail", pk=existing.pk)
        show_errors(request, error)
        return redirect(programme.get_absolute_url())
    return redirect("exchanges:application-edit", pk=application.pk)


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    applications = queries.team_applications(request.user).order_by("-updated_at", "-pk")
    return render(request, "exchanges/application_list.html", {"applications": applications})


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = team_application(request, pk)
    return render(
        request,
        "exchanges/application_detail.html",
        {
            "application": application,
            "events": application.events.select_related("actor").order_by("at", "pk"),
            "answers": application.answers.select_related("question").order_by(
                "question__position", "question__pk"
            ),
            "partner_reads": partner_queries.reads_of(application),
            "call_open": timezone.now() < application.programme.applications_close_at,
            **queries.owner_actions(application, request.user),
        },
    )


def _application_form(request: HttpRequest, application: Application, data=None, files=None):
    questions = application.programme.questions.order_by("position", "pk")
    answers = dict(application.answers.values_list("question_id", "value"))
    return ApplicationForm(data, files, instance=application, questions=questions, answers=answers)


def _render_form(request: HttpRequest, application: Application, form) -> HttpResponse:
    programme = application.programme
    return render(
        request,
        "exchanges/application_form.html",
        {
            "application": application,
            "programme": programme,
            "form": form,
            "eligibility": rules.eligibility_problems(
                programme, application.startup, today=timezone.localdate()
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = team_application(request, pk)
    if application.state != State.DRAFT:
        return redirect("exchanges:application-detail", pk=application.pk)
    form = _application_form(request, application, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_draft(
                application, by=request.user, fields=form.draft_fields(), answers=form.answers()
            )
        except DomainError as error:
            show_errors(request, error)
        else:
            if request.POST.get("action") != "review":
                messages.success(request, _("Your draft has been saved."))
                return redirect("exchanges:application-edit", pk=application.pk)
            problems = rules.content_problems(application)
            if not problems:
                return redirect("exchanges:application-review", pk=application.pk)
            # Saved, but not complete: each problem next to its field, as saved.
            form = _application_form(request, application, request.POST)
            form.is_valid()
            form.show_problems(problems)
    return _render_form(request, application, form)


def _render_review(
    request: HttpRequest, application: Application, *, problems=(), consent: bool = False
) -> HttpResponse:
    programme = application.programme
    edit_url = reverse("exchanges:application-edit", args=[application.pk])
    return render(
        request,
        "exchanges/application_review.html",
        {
            "application": application,
            "programme": programme,
            "startup": application.startup,
            "answers": application.answers.select_related("question").order_by(
                "question__position", "question__pk"
            ),
            "submit_form": SubmitForm(
                {"consent": "on"} if consent else None,
                consent_text=rules.consent_wording(programme),
            ),
            "consent_problem": next((p.message for p in problems if p.field == "consent"), ""),
            # Texts, deck or answers missing: the form first, then the consent.
            "incomplete": any(p.field not in {"", "consent"} for p in problems),
            "summary": [
                {
                    "message": problem.message,
                    "href": "#id_consent"
                    if problem.field == "consent"
                    else f"{edit_url}#id_{problem.field}"
                    if problem.field
                    else "",
                }
                for problem in problems
            ],
            **queries.owner_actions(application, request.user),
        },
    )


@login_required
def application_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole application as the host will see it, and the consent to submit it."""
    application = team_application(request, pk)
    if application.state != State.DRAFT:
        return redirect("exchanges:application-detail", pk=application.pk)
    return _render_review(request, application, problems=rules.content_problems(application))


@login_required
@require_POST
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    application = team_application(request, pk)
    form = SubmitForm(request.POST)
    consent = form.is_valid() and form.cleaned_data["consent"]
    try:
        services.submit_application(application, by=request.user, consent=consent)
    except DomainError as error:
        application.refresh_from_db()
        if application.state != State.DRAFT:
            # A second click or another tab: the first submit already went through.
            return redirect("exchanges:application-detail", pk=application.pk)
        problems = getattr(error, "problems", None) or [
            rules.Problem("", message) for message in error.messages
        ]
        return _render_review(request, application, problems=problems, consent=consent)
    messages.success(
        request,
        _(
            "Your application has been submitted. We have emailed a receipt to %(email)s "
            "and to the rest of your team."
        )
        % {"email": request.user.email},
    )
    return redirect("exchanges:application-detail", pk=application.pk)


@login_required
@require_http_methods(["GET", "POST"])
def application_delete(request: HttpRequest, pk: int) -> HttpResponse:
    application = team_application(request, pk)
    if request.method == "POST":
        try:
            services.delete_draft(application, by=request.user)
        except DomainError as error:
            show_errors(request, error)
            return redirect("exchanges:application-detail", pk=application.pk)
        messages.success(request, _("The draft has been deleted."))
        return redirect("exchanges:application-list")
    if application.state != State.DRAFT:
        raise Http404
    return render(
        request,
        "exchanges/application_confirm.html",
        {
            "application": application,
            "action": "delete",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = team_application(request, pk)
    if request.method == "GET" and not rules.withdrawable(application):
        raise Http404
    if request.method == "POST":
        try:
            services.withdraw_application(application, by=request.user)
        except DomainError as error:
            show_errors(request, error)
        else:
            messages.success(request, _("Your application has been withdrawn."))
        return redirect("exchanges:application-detail", pk=application.pk)
    return render(
        request,
        "exchanges/application_confirm.html",
        {
            "application": application,
            "action": "withdraw",
        },
    )


@login_required
@require_POST
def application_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    application = team_application(request, pk)
    try:
        services.confirm_application(application, by=request.user)
    except DomainError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("You have confirmed your seat. See you there!"))
    return redirect("exchanges:application-detail", pk=application.pk)


@login_required
@require_POST
def application_withdraw_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop sharing the application with the partner organisations (a team member's choice)."""
    application = team_application(request, pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that partners should stop seeing it."))
        return redirect("exchanges:application-detail", pk=application.pk)
    try:
        services.withdraw_consent(application, by=request.user)
    except DomainError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("Partner organisations no longer see your application."))
    return redirect("exchanges:application-detail", pk=application.pk)
