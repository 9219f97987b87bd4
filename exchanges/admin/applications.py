"""The admin of applications: the whole application on one page, decided by actions.

Nothing on the page is edited as a model field: the team's texts are the team's, and
every change of staff's (a decision, a staged one, a waitlist rank, deleting a draft)
goes through a service, most through an intermediate form that takes a comment.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import override

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from alliance.errors import DomainError
from exchanges import access, rules, services
from exchanges.admin import exports
from exchanges.admin.application_list import ApplicationListMixin
from exchanges.forms import YES_NO
from exchanges.models import Application, Need, QuestionKind, Score, State, Verb
from exchanges.partners.models import DataAccess

COMMENT_MAX_LENGTH = 3000  # as the staged comment's field
MAX_RANK = 10_000
BOTH_PLACES = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]


class DataAccessInline(admin.TabularInline):
    """Which partner organisation read the application through the API, and which parts."""

    model = DataAccess
    extra = 0
    can_delete = False
    fields = ("day", "organisation", "key", "profile", "answers", "pitch_deck", "last_at")
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("read by partner organisations (the data-access ledger)")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        """Whoever sees the application sees who read it (the ledger's own list spans
        every programme: it is for administrators).

        `obj` reached this page through `ApplicationAdmin.get_queryset`, which holds only
        the applications the user may see (`access.visible_applications`).
        """
        return isinstance(obj, Application) or super().has_view_permission(request, obj)

    def get_queryset(self, request):
        # Django empties an inline's queryset without the model's view permission; the
        # page shows this inline only where `has_view_permission(obj)` holds, and the
        # formset keeps the rows of this one application.
        return DataAccess.objects.select_related("organisation", "key")


# The intermediate forms of the actions


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("comment"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text=gettext_lazy("Recorded in the application's history."),
    )
    share_comment = forms.BooleanField(
        label=gettext_lazy("include the comment in the email to the team"), required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("share_comment") and not data.get("comment"):
            self.add_error("comment", gettext_lazy("Write the comment to include in the email."))
        return data


class WaitlistForm(DecisionForm):
    rank = forms.IntegerField(
        label=gettext_lazy("waitlist rank"),
        required=False,
        min_value=1,
        max_value=MAX_RANK,
        help_text=gettext_lazy(
            "1 is the first to move up; several applications take the ranks from here on in "
            "the order listed. Empty: at the end of the waitlist."
        ),
    )


class RankForm(forms.Form):
    rank = forms.IntegerField(
        label=gettext_lazy("new waitlist rank"),
        min_value=1,
        max_value=MAX_RANK,
        help_text=gettext_lazy("1 is the first to move up; past the end: last."),
    )


Call = Callable[[Application, HttpRequest, dict], object]


@dataclass(frozen=True)
class Decision:
    """An action that asks for its comment (and rank) before calling a service per row."""

    name: str
    label: str
    form: type[forms.Form]
    call: Call
    done: str  # past tense for the message, e.g. "shortlisted"


def _verb(service) -> Call:
    return lambda a, request, data: service(
        a, by=request.user, comment=data["comment"], share_comment=data["share_comment"]
    )


def _stage(verb: Verb) -> Call:
    return lambda a, request, data: services.stage_decision(
        a,
        verb=verb,
        by=request.user,
        rank=data.get("rank"),
        comment=data["comment"],
        share_comment=data["share_comment"],
    )


DECISIONS = [
    Decision(
        "shortlist",
        gettext_lazy("shortlist"),
        DecisionForm,
        _verb(services.shortlist_application),
        gettext_lazy("shortlisted"),
    ),
    Decision(
        "waitlist",
        gettext_lazy("waitlist"),
        WaitlistForm,
        lambda a, request, data: services.waitlist_application(
            a,
            by=request.user,
            rank=data["rank"],
            comment=data["comment"],
            share_comment=data["share_comment"],
        ),
        gettext_lazy("waitlisted"),
    ),
    Decision(
        "accept",
        gettext_lazy("accept"),
        DecisionForm,
        _verb(services.accept_application),
        gettext_lazy("accepted"),
    ),
    Decision(
        "reject",
        gettext_lazy("reject"),
        DecisionForm,
        _verb(services.reject_application),
        gettext_lazy("rejected"),
    ),
    Decision(
        "stage_shortlist",
        gettext_lazy("stage: shortlist"),
        DecisionForm,
        _stage(Verb.SHORTLIST),
        gettext_lazy("staged for the shortlist"),
    ),
    Decision(
        "stage_waitlist",
        gettext_lazy("stage: waitlist"),
        WaitlistForm,
        _stage(Verb.WAITLIST),
        gettext_lazy("staged for the waitlist"),
    ),
    Decision(
        "stage_accept",
        gettext_lazy("stage: accept"),
        DecisionForm,
        _stage(Verb.ACCEPT),
        gettext_lazy("staged for acceptance"),
    ),
    Decision(
        "stage_reject",
        gettext_lazy("stage: reject"),
        DecisionForm,
        _stage(Verb.REJECT),
        gettext_lazy("staged for rejection"),
    ),
    Decision(
        "set_waitlist_rank",
        gettext_lazy("set the waitlist rank"),
        RankForm,
        lambda a, request, data: services.move_in_waitlist(a, rank=data["rank"], by=request.user),
        gettext_lazy("moved in the waitlist"),
    ),
]


def _run(modeladmin, request: HttpRequest, applications: list[Application], call, done) -> None:
    """Call `call(application, position)` for each, report each refusal and the seat warning."""
    count = 0
    programmes = {}
    for position, application in enumerate(applications):
        programmes[application.programme_id] = application.programme
        try:
            call(application, position)
        except DomainError as error:
            modeladmin.message_user(request, f"{application}: {error}", messages.ERROR)
        except ValidationError as error:
            modeladmin.message_user(
                request, f"{application}: {' '.join(error.messages)}", messages.ERROR
            )
        else:
            count += 1
    for programme in programmes.values():  # staging may promise more seats than are free
        warning = services.staged_seat_warning(programme)
        if warning:
            modeladmin.message_user(request, f"{programme}: {warning}", messages.WARNING)
    if count:
        modeladmin.message_user(
            request,
            ngettext("%(count)d application: %(verb)s.", "%(count)d applications: %(verb)s.", count)
            % {"count": count, "verb": done},
        )


def _decision_action(decision: Decision):
    """An admin action that shows its form first, then calls the service per application."""

    def action(modeladmin, request, queryset):
        applications = list(queryset.select_related("startup", "programme").order_by("pk"))
        from_change_form = f"{ActionLocation.CHANGE_FORM.value}-action" in request.POST
        form = decision.form(request.POST if request.POST.get("post") else None)
        if form.is_valid():
            data = form.cleaned_data
            rank = data.get("rank")

            def call(application, position):
                # Several waitlisted at once take consecutive ranks, in the order listed.
                ranked = {**data, "rank": rank + position} if rank else data
                return decision.call(application, request, ranked)

            _run(modeladmin, request, applications, call, decision.done)
            if request.POST.get("return_to_change") and len(applications) == 1:
                return HttpResponseRedirect(
                    reverse("admin:exchanges_application_change", args=[applications[0].pk])
                )
            return None
        opts = modeladmin.model._meta
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": ngettext(
                "%(action)s: %(count)d application",
                "%(action)s: %(count)d applications",
                len(applications),
            )
            % {"action": str(decision.label).capitalize(), "count": len(applications)},
            "subtitle": None,
            "opts": opts,
            "applications": applications,
            "form": form,
            "action_name": decision.name,
            "action_label": decision.label,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "return_to_change": from_change_form or request.POST.get("return_to_change"),
            "media": modeladmin.media,
        }
        request.current_app = modeladmin.admin_site.name
        return TemplateResponse(request, "admin/exchanges/application/decision_form.html", context)

    action.__name__ = decision.name
    return admin.action(description=decision.label, permissions=["decide"], location=BOTH_PLACES)(
        action
    )


def _direct_action(name: str, label: str, service) -> Callable:
    """An admin action without a form: one service per application."""

    def action(modeladmin, request, queryset) -> None:
        applications = list(queryset.select_related("startup", "programme").order_by("pk"))
        _run(modeladmin, request, applications, lambda a, _at: service(a, by=request.user), label)

    action.__name__ = name
    return admin.action(description=label, permissions=["decide"], location=BOTH_PLACES)(action)


@admin.action(
    description=gettext_lazy("Delete the selected drafts"),
    permissions=["delete"],
)
def delete_drafts(modeladmin, request, queryset):
    """Delete drafts only, through the draft service: a submitted application stays."""
    others = list(queryset.exclude(state=State.DRAFT).select_related("startup", "programme"))
    if others:
        modeladmin.message_user(
            request,
            _("Only drafts can be deleted; nothing was deleted. Not a draft: %(names)s.")
            % {"names": ", ".join(str(application) for application in others)},
            messages.ERROR,
        )
        return None
    if not request.POST.get("post"):
        return delete_selected(modeladmin, request, queryset)  # the confirmation page
    drafts = list(queryset.select_related("startup", "programme"))
    try:
        with transaction.atomic():
            modeladmin.log_deletions(request, drafts)
            for draft in drafts:
                services.delete_draft(draft, by=request.user)
    except DomainError as error:
        modeladmin.message_user(
            request, _("Nothing was deleted: %(error)s") % {"error": error}, messages.ERROR
        )
        return None
    modeladmin.message_user(
        request,
        ngettext("%(count)d draft deleted.", "%(count)d drafts deleted.", len(drafts))
        % {"count": len(drafts)},
        messages.SUCCESS,
    )
    return None


delete_drafts.__name__ = "delete_selected"  # replaces the site's delete action here


# The page


def _answer_text(question, value: str) -> str:
    if question.kind == QuestionKind.YES_NO:
        return str(dict(YES_NO).get(value, value))
    return value


def application_page(request: HttpRequest, application: Application) -> dict:
    """Everything staff decide on, read in a constant number of queries."""
    user = request.user
    startup = application.startup
    programme = application.programme
    answers = {answer.question_id: answer.value for answer in application.answers.all()}
    questions = [
        (question, _answer_text(question, answers.get(question.pk, "").strip()))
        for question in programme.questions.all()
    ]
    needs = application.needs if isinstance(application.needs, list) else []
    reviews = list(
        access.reviews_visible_to(user)
        .filter(application=application)
        .select_related("reviewer")
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("criterion")))
    )
    criteria = sorted(
        {score.criterion.pk: score.criterion for r in reviews for score in r.scores.all()}.values(),
        key=lambda criterion: (criterion.position, criterion.pk),
    )
    review_rows = [
        (
            review,
            [
                {score.criterion_id: score.value for score in review.scores.all()}.get(c.pk)
                for c in criteria
            ],
        )
        for review in reviews
    ]
    own_review = next((review for review in reviews if review.reviewer_id == user.pk), None)
    judged_on = application.submitted_at or timezone.now()
    return {
        "startup": startup,
        "members": list(startup.memberships.select_related("user")),
        "needs": [Need(code).label if code in Need.values else code for code in needs],
        "questions": questions,
        "eligibility": rules.eligibility_results(
            programme, startup, today=timezone.localdate(judged_on)
        ),
        "eligibility_on": judged_on,
        "events": list(application.events.select_related("actor").order_by("at", "pk")),
        "sees_reviews": access.sees_others_reviews(user, application),
        "criteria": criteria,
        "review_rows": review_rows,
        "own_review": own_review,
        "review_url": _review_url(application, own_review)
        if access.may_review(user, application)
        else None,
        "recommendations": list(
            application.recommendations.select_related("organisation").order_by(
                "organisation__name"
            )
        ),
    }


def _review_url(application: Application, own_review) -> str:
    """Where the user writes (or edits) their review."""
    if own_review is not None:
        return reverse("admin:exchanges_review_change", args=[own_review.pk])
    return reverse("admin:exchanges_review_add") + f"?application={application.pk}"


@admin.register(Application)
class ApplicationAdmin(ApplicationListMixin, admin.ModelAdmin):
    change_form_template = "admin/exchanges/application/change_form.html"
    fieldsets = (
        (
            gettext_lazy("Decision"),
            {
                "fields": (
                    "programme",
                    "startup",
                    "state",
                    "pending_decision",
                    "pending_comment",
                    "pending_comment_shared",
                    "rank",
                    "submitted_at",
                    "decided_at",
                    "confirm_by",
                    "created_by",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )
    inlines = [DataAccessInline]
    actions = [
        *(_decision_action(decision) for decision in DECISIONS),
        _direct_action("start_review", gettext_lazy("start review"), services.start_review),
        _direct_action(
            "clear_stage",
            gettext_lazy("clear the staged decision"),
            services.clear_staged_decision,
        ),
        delete_drafts,
        *exports.APPLICATION_ACTIONS,
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        """Only the applications of the programmes the user is assigned to."""
        return super().get_queryset(request) & access.visible_applications(request.user)

    def get_object(self, request: HttpRequest, object_id: str, from_field=None):
        queryset = self.get_queryset(request).select_related(
            "startup__city", "programme__host_city", "created_by"
        )
        opts = self.model._meta
        field = opts.pk if from_field is None else opts.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (self.model.DoesNotExist, ValidationError, ValueError):
            return None

    @override  # Django's signature
    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["whole"] = application_page(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def has_add_permission(self, request) -> bool:
        return False  # applications are made by start-ups, through the portal

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        """The page of one application is read-only: staff change it through the actions."""
        return obj is None and super().has_change_permission(request)

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("exchanges.decide_application")

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        """Drafts only, by those who decide on the programme: anything else is history."""
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or (
            obj.state == State.DRAFT and access.may_decide(request.user, obj.programme)
        )

    def delete_model(self, request: HttpRequest, obj: Application) -> None:
        services.delete_draft(obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        with transaction.atomic():
            for draft in queryset.select_related("startup", "programme"):
                services.delete_draft(draft, by=request.user)
