"""Reviews in the admin: the criteria of a programme, a reviewer's queue and form."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminTextareaWidget
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from alliance.accounts.models import User
from alliance.errors import DomainError, show_errors
from alliance.forms import is_row_id
from exchanges import access
from exchanges.models import MAX_SCORE, MIN_SCORE, Application, Review, ReviewCriterion
from exchanges.services import reviews as services

QUEUE_PAGE_SIZE = 50
YES, NO = "yes", "no"


def _changes_scoring(form: forms.ModelForm, *, deleted: bool) -> bool:
    """Whether saving `form` adds, reweights or deletes a criterion (names may change)."""
    if deleted:
        return form.instance.pk is not None
    if form.instance.pk is None:
        return form.has_changed()
    return "weight" in form.changed_data


class CriterionFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if self.instance.pk is None:
            return
        if any(
            _changes_scoring(form, deleted=self.can_delete and self._should_delete_form(form))
            for form in self.forms
        ):
            refusal = services.criteria_change_refusal(self.instance)
            if refusal:
                raise forms.ValidationError(refusal, code="criteria_locked")


class CriterionInline(TranslationTabularInline):
    model = ReviewCriterion
    formset = CriterionFormSet
    extra = 0
    fields = ("position", "name", "weight")
    verbose_name_plural = _("review criteria (none: the network's defaults)")


def _score_field(criterion: ReviewCriterion) -> str:
    return f"score_{criterion.pk}"


class ReviewForm(forms.ModelForm):
    """A review of one application by one reviewer: a score per criterion, or abstaining.

    `get_form` makes a subclass that knows the application, its criteria and the reviewer.
    """

    conflict_of_interest = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with this start-up?"),
        choices=[(YES, _("Yes")), (NO, _("No"))],
        coerce=lambda answer: answer == YES,
        widget=forms.RadioSelect,
        help_text=_("With a conflict of interest you abstain: your scores are not kept."),
    )
    abstained = forms.BooleanField(
        label=_("abstain"),
        required=False,
        help_text=_("Counted out of the application's average; your comment is kept."),
    )

    application: Application
    criteria: list[ReviewCriterion]
    reviewer: User

    class Meta:
        model = Review
        fields = ["comment"]
        widgets = {"comment": AdminTextareaWidget}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.instance.application = self.application
            self.instance.reviewer = self.reviewer
        else:
            given = {score.criterion_id: score.value for score in self.instance.scores.all()}
            self.initial["conflict_of_interest"] = YES if self.instance.conflict_of_interest else NO
            self.initial["abstained"] = self.instance.abstained
        for criterion in self.criteria:
            self.fields[_score_field(criterion)] = forms.TypedChoiceField(
                label=_("%(criterion)s (weight %(weight)d)")
                % {"criterion": criterion.name, "weight": criterion.weight},
                choices=[(value, str(value)) for value in range(MIN_SCORE, MAX_SCORE + 1)],
                coerce=int,
                widget=forms.RadioSelect,
                # Required unless abstaining: clean() says so, a browser's check could not.
                required=False,
                initial=None if self.instance.pk is None else given.get(criterion.pk),
                help_text=_("1 (weak) to 5 (excellent)"),
            )

    @property
    def score_fields(self) -> list[str]:
        return [_score_field(criterion) for criterion in self.criteria]

    def clean(self) -> dict:
        cleaned = super().clean()
        refusal = services.review_refusal(self.application, self.reviewer)
        if refusal:
            raise forms.ValidationError(refusal, code="not_reviewable")
        if not (cleaned.get("abstained") or cleaned.get("conflict_of_interest")):
            for criterion in services.unscored(self.criteria, self.scores()):
                if _score_field(criterion) not in self.errors:
                    self.add_error(
                        _score_field(criterion),
                        forms.ValidationError(
                            _("Give a score from 1 to 5, or abstain."), code="required"
                        ),
                    )
        return cleaned

    def scores(self) -> dict[int, int]:
        """The scores given, by criterion id."""
        return {
            criterion.pk: self.cleaned_data[_score_field(criterion)]
            for criterion in self.criteria
            if self.cleaned_data.get(_score_field(criterion)) is not None
        }


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = (
        "application",
        "reviewer",
        "score",
        "abstained",
        "conflict_of_interest",
        "updated_at",
    )
    list_filter = ("abstained", "conflict_of_interest")
    list_select_related = ("application__startup", "application__programme", "reviewer")
    ordering = ("-updated_at", "-pk")
    show_full_result_count = False
    actions = None  # deletion goes through the service, one review at a time
    form = ReviewForm

    def get_urls(self):
        queue = path(
            "queue/", self.admin_site.admin_view(self.queue_view), name="exchanges_review_queue"
        )
        return [queue, *super().get_urls()]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        """The reviews the user reads (`access.reviews_visible_to`)."""
        return super().get_queryset(request) & access.reviews_visible_to(request.user)

    def _reviews(self, request: HttpRequest) -> bool:
        user = request.user
        return user.is_active and user.is_staff and user.has_perm("exchanges.review_application")

    def _reads_reviews(self, request: HttpRequest) -> bool:
        user = request.user
        return self._reviews(request) or (
            user.is_active and user.is_staff and user.has_perm("exchanges.decide_application")
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._reads_reviews(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._reads_reviews(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._reviews(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        """A reviewer changes their own review until the programme's decisions are out."""
        if not self._reviews(request):
            return False
        return obj is None or (
            obj.reviewer_id == request.user.pk
            and obj.application.programme.decisions_announced_at is None
        )

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_change_permission(request, obj)

    # The form

    def _application(self, request: HttpRequest) -> Application | None:
        """The visible application named by ?application=<pk> (the add view's), or None."""
        if not hasattr(request, "_review_application"):
            pk = request.GET.get("application", "")
            request._review_application = (
                access.visible_applications(request.user)
                .select_related("startup", "programme")
                .filter(pk=pk)
                .first()
                if is_row_id(pk)
                else None
            )
        return request._review_application

    def _criteria(self, request: HttpRequest, application: Application) -> list[ReviewCriterion]:
        """The application's criteria, read once per request (the form and its fieldsets)."""
        if getattr(request, "_review_criteria_of", None) != application.pk:
            request._review_criteria = services.criteria_for(application.programme)
            request._review_criteria_of = application.pk
        return request._review_criteria

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        application = obj.application if obj is not None else self._application(request)
        attributes = {
            "application": application,
            "criteria": self._criteria(request, application),
            "reviewer": request.user,
        }
        return type("ReviewForm", (self.form,), attributes)

    def get_fieldsets(self, request: HttpRequest, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            fields = ("startup", "programme", "reviewer", "scores_given", "score")
            fields += ("conflict_of_interest", "abstained", "comment", "updated_at")
            return [(None, {"fields": fields})]
        application = obj.application if obj is not None else self._application(request)
        criteria = self._criteria(request, application)
        return [
            (None, {"fields": ("startup", "programme")}),
            (
                _("Scores"),
                {
                    "fields": [_score_field(criterion) for criterion in criteria],
                    "description": _("Score every criterion unless you abstain."),
                },
            ),
            (_("Declaration"), {"fields": ("conflict_of_interest", "abstained")}),
            (None, {"fields": ("comment",)}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return ("startup", "programme")

    @admin.display(description=_("start-up"))
    def startup(self, review: Review) -> str:
        url = reverse("admin:exchanges_application_change", args=[review.application_id])
        return format_html('<a href="{}">{}</a>', url, review.application.startup)

    @admin.display(description=_("programme"))
    def programme(self, review: Review) -> str:
        return str(review.application.programme)

    @admin.display(description=_("scores"))
    def scores_given(self, review: Review) -> str:
        scores = review.scores.select_related("criterion")
        return format_html_join(", ", "{}: {}", ((s.criterion.name, s.value) for s in scores))

    def add_view(self, request: HttpRequest, form_url="", extra_context=None) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        application = self._application(request)
        if application is None:
            messages.error(request, _("Choose an application to review from your queue."))
            return redirect("admin:exchanges_review_queue")
        own = Review.objects.filter(application=application, reviewer=request.user).first()
        if own is not None:
            return redirect("admin:exchanges_review_change", own.pk)
        refusal = services.review_refusal(application, request.user)
        if refusal and request.method != "POST":
            messages.error(request, refusal)
            return redirect("admin:exchanges_review_queue")
        return super().add_view(request, form_url, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "show_save_and_add_another": False}
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            # Only a race gets here (announced, or unassigned, since the form's check);
            # the admin's transaction has rolled back whatever was written.
            show_errors(request, error)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: Review, form: ReviewForm, change: bool):
        review = services.save_review(
            form.application,
            reviewer=request.user,
            scores=form.scores(),
            comment=form.cleaned_data["comment"],
            conflict_of_interest=form.cleaned_data["conflict_of_interest"],
            abstained=form.cleaned_data["abstained"],
        )
        # The admin logs and redirects with the object it passed in.
        for field in Review._meta.concrete_fields:
            setattr(obj, field.attname, getattr(review, field.attname))
        obj._state.adding = False

    def response_add(self, request: HttpRequest, obj: Review, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        if "_continue" in request.POST:
            return response
        return redirect("admin:exchanges_review_queue")

    def delete_model(self, request: HttpRequest, obj: Review) -> None:
        services.delete_review(obj, by=request.user)

    # The queue

    def queue_view(self, request: HttpRequest) -> TemplateResponse:
        """The applications the user reviews and has not reviewed yet, oldest first."""
        if not self._reviews(request):
            raise PermissionDenied
        applications = (
            services.unreviewed_applications(request.user)
            .select_related("startup", "programme")
            .order_by("submitted_at", "pk")
        )
        page = Paginator(applications, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Your review queue"),
            "opts": self.opts,
            "page": page,
            "add_url": reverse("admin:exchanges_review_add"),
        }
        return TemplateResponse(request, "admin/exchanges/review/queue.html", context)


class DefaultCriterionForm(forms.ModelForm):
    def clean(self) -> dict:
        cleaned = super().clean()
        if _changes_scoring(self, deleted=False):
            refusal = services.criteria_change_refusal(None)
            if refusal:
                raise forms.ValidationError(refusal, code="criteria_locked")
        return cleaned


@admin.register(ReviewCriterion)
class DefaultCriterionAdmin(TranslationAdmin):
    """The network's default criteria; a programme's own are edited on the programme."""

    form = DefaultCriterionForm
    actions = None  # deleted one at a time, each refused once reviews scored the defaults
    list_display = ("name", "weight", "position")
    fields = ("position", "name", "weight")
    ordering = ("position", "pk")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).defaults()

    def _administers(self, request: HttpRequest) -> bool:
        return access.sees_every_programme(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._administers(request) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._administers(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._administers(request) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._administers(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._administers(request) and super().has_delete_permission(request, obj)

    def delete_view(self, request: HttpRequest, object_id, extra_context=None):
        refusal = services.criteria_change_refusal(None)
        if refusal and self.has_delete_permission(request):
            messages.error(request, refusal)
            return redirect("admin:exchanges_reviewcriterion_change", object_id)
        return super().delete_view(request, object_id, extra_context)
