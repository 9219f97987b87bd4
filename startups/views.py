from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import ListView

from alliance.accounts import journey
from alliance.errors import DomainError, show_errors
from startups import rules, services
from startups.forms import InvitationForm, StartupForm, TransferForm
from startups.models import Invitation, Membership, Role, Startup


def team_startup(request: HttpRequest, slug: str) -> tuple[Startup, Membership]:
    """The start-up `slug` and the user's membership; 404 for anyone outside its team."""
    startup = get_object_or_404(Startup.objects.of_user(request.user), slug=slug)
    return startup, Membership.objects.get(startup=startup, user=request.user)


class StartupListView(LoginRequiredMixin, ListView):
    template_name = "startups/startup_list.html"
    context_object_name = "startups"

    def get_queryset(self):
        return Startup.objects.of_user(self.request.user).select_related("city")


@login_required
@require_http_methods(["GET", "POST"])
def startup_create(request: HttpRequest) -> HttpResponse:
    form = StartupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        startup = services.create_startup(form.save(commit=False), by=request.user)
        messages.success(request, _("Your start-up has been created."))
        # Back to the programme the founder came to apply to, if they came from one.
        next_ = journey.next_url(request)
        return redirect(next_) if next_ else redirect("startups:startup-detail", slug=startup.slug)
    return render(request, "startups/startup_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def startup_edit(request: HttpRequest, slug: str) -> HttpResponse:
    startup, _membership = team_startup(request, slug)
    form = StartupForm(request.POST or None, instance=startup)
    if request.method == "POST" and form.is_valid():
        services.update_startup(form.save(commit=False), by=request.user)
        messages.success(request, _("The profile has been saved."))
        # Back where the founder came from (the application's review page), if local.
        next_ = journey.next_url(request)
        return redirect(next_) if next_ else redirect("startups:startup-detail", slug=startup.slug)
    return render(request, "startups/startup_form.html", {"form": form, "startup": startup})


@login_required
def startup_detail(request: HttpRequest, slug: str) -> HttpResponse:
    startup, membership = team_startup(request, slug)
    members = startup.memberships.select_related("user").order_by("-role", "joined_at")
    is_owner = membership.role == Role.OWNER
    return render(
        request,
        "startups/startup_detail.html",
        {
            "startup": startup,
            "membership": membership,
            "members": members,
            "is_owner": is_owner,
            "invite_form": InvitationForm() if is_owner else None,
            "transfer_form": TransferForm(startup=startup, exclude_user=request.user)
            if is_owner
            else None,
            "applications": startup.applications.select_related("programme").order_by(
                "-created_at"
            ),
        },
    )


@login_required
@require_POST
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    startup, _membership = team_startup(request, slug)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            services.invite_member(
                startup,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                by=request.user,
            )
        except DomainError as error:
            show_errors(request, error)
        else:
            messages.success(
                request,
                _("We have sent an invitation to %(email)s.")
                % {"email": form.cleaned_data["email"]},
            )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("startups:startup-detail", slug=startup.slug)


@login_required
@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.objects.select_related("startup").filter(token=token).first()
    if invitation is None:
        raise Http404
    if request.method == "POST":
        try:
            services.accept_invitation(invitation, by=request.user)
        except DomainError as error:
            return render(
                request,
                "startups/invitation.html",
                {"invitation": invitation, "errors": error.messages},
            )
        messages.success(
            request, _("You are now in the team of %(startup)s.") % {"startup": invitation.startup}
        )
        return redirect("startups:startup-detail", slug=invitation.startup.slug)
    return render(request, "startups/invitation.html", {"invitation": invitation})


@login_required
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask first (a page of its own, no script), then leave the team."""
    startup, _membership = team_startup(request, slug)
    if request.method == "GET":
        refusal = rules.leave_refusal(list(startup.memberships.all()), request.user)
        return render(
            request,
            "startups/startup_leave.html",
            {"startup": startup, "refusal": refusal.messages if refusal else []},
        )
    try:
        services.leave_team(startup, by=request.user)
    except DomainError as error:
        show_errors(request, error)
        return redirect("startups:startup-detail", slug=startup.slug)
    messages.success(request, _("You have left the team of %(startup)s.") % {"startup": startup})
    return redirect("startups:startup-list")


@login_required
@require_POST
def transfer(request: HttpRequest, slug: str) -> HttpResponse:
    startup, _membership = team_startup(request, slug)
    form = TransferForm(request.POST, startup=startup, exclude_user=request.user)
    if form.is_valid():
        try:
            services.transfer_ownership(startup, to=form.cleaned_data["member"], by=request.user)
        except DomainError as error:
            show_errors(request, error)
        else:
            messages.success(request, _("Ownership has been transferred."))
    else:
        messages.error(request, _("Choose another member of the team."))
    return redirect("startups:startup-detail", slug=startup.slug)
