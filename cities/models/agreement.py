"""Cooperation agreements between Berlin Partner and the partner organisations."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.signals import m2m_changed
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.private_files import private_storage
from alliance.uploads import validate_pdf
from cities.models import (
    EXPIRY_WARNING_DAYS,
    NETWORK_FOUNDED,
    AgreementStatus,
    City,
    Contact,
    PartnerOrganisation,
)


class AgreementQuerySet(models.QuerySet):
    def active(self, today: datetime.date | None = None) -> "AgreementQuerySet":
        """Signed agreements whose validity includes `today` (an open end counts)."""
        return self.filter(CooperationAgreement.active_q(today or timezone.localdate()))

    def expiring(self, today: datetime.date | None = None) -> "AgreementQuerySet":
        """Active agreements that end within the warning period."""
        today = today or timezone.localdate()
        limit = today + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
        return self.active(today).filter(valid_until__lte=limit)


class CooperationAgreement(models.Model):
    """A cooperation agreement between the hub organisation and a partner organisation."""

    hub_organisation = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.PROTECT,
        related_name="agreements_as_hub",
        limit_choices_to={"is_hub_operator": True},
        verbose_name=_("hub organisation"),
    )
    partner_organisation = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.PROTECT,
        related_name="agreements_as_partner",
        verbose_name=_("partner organisation"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AgreementStatus, default=AgreementStatus.DRAFT
    )
    signed_on = models.DateField(
        _("signed on"), null=True, blank=True, help_text=_("Only when the day is known.")
    )
    signed_year = models.PositiveSmallIntegerField(
        _("signed in (year)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(NETWORK_FOUNDED)],
        help_text=_("Filled from the day when it is known."),
    )
    signed_in = models.ForeignKey(
        City,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed in (city)"),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Leave empty for open-ended.")
    )
    signatories = models.ManyToManyField(
        Contact,
        blank=True,
        related_name="signed_agreements",
        verbose_name=_("signatories"),
        help_text=_("The people who signed, from both sides."),
    )
    summary = models.TextField(_("summary"), blank=True)
    sources = models.JSONField(
        _("sources"),
        default=list,
        blank=True,
        help_text=_("Addresses of the public pages the facts were read from."),
    )
    document = models.FileField(
        _("document (PDF)"),
        upload_to="agreements/",
        storage=private_storage,
        blank=True,
        validators=[validate_pdf],
    )
    loaded_values = models.JSONField(default=dict, editable=False)

    objects = AgreementQuerySet.as_manager()

    # The signatories a form is about to save (Django saves many-to-many values after the
    # row): clean() checks them instead of those stored.
    pending_signatories = None

    class Meta:
        verbose_name = _("cooperation agreement")
        verbose_name_plural = _("cooperation agreements")
        ordering = ["-signed_year", "partner_organisation__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="agreement_valid_until_after_valid_from",
                violation_error_message=_("The end of validity must not be before its start."),
            ),
            models.CheckConstraint(
                condition=~Q(hub_organisation=models.F("partner_organisation")),
                name="agreement_two_organisations",
                violation_error_message=_("The hub cannot sign an agreement with itself."),
            ),
            models.CheckConstraint(
                condition=~Q(status=AgreementStatus.SIGNED)
                | Q(signed_on__isnull=False)
                | Q(signed_year__isnull=False),
                name="agreement_signed_has_date",
                violation_error_message=_("A signed agreement needs its signing day or year."),
            ),
            models.CheckConstraint(
                condition=Q(signed_year__isnull=True) | Q(signed_year__gte=NETWORK_FOUNDED),
                name="agreement_signed_after_founding",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AgreementStatus.values),
                name="agreement_status_valid",
            ),
            models.UniqueConstraint(
                fields=["hub_organisation", "partner_organisation"],
                condition=~Q(status=AgreementStatus.TERMINATED),
                name="agreement_one_live_per_partner",
                violation_error_message=_(
                    "This partner already has an agreement that is not terminated."
                ),
            ),
        ]

    def __str__(self) -> str:
        return _("%(hub)s with %(partner)s") % {
            "hub": self.hub_organisation,
            "partner": self.partner_organisation,
        }

    @staticmethod
    def active_q(today: datetime.date, prefix: str = "") -> Q:
        """The condition for "active" on `today`, for a relation path ending in `prefix`."""
        return (
            Q(**{f"{prefix}status": AgreementStatus.SIGNED})
            & (
                Q(**{f"{prefix}valid_from__isnull": True})
                | Q(**{f"{prefix}valid_from__lte": today})
            )
            & (
                Q(**{f"{prefix}valid_until__isnull": True})
                | Q(**{f"{prefix}valid_until__gte": today})
            )
        )

    def clean(self) -> None:
        errors = {}
        if self.signed_on:
            if self.signed_year and self.signed_year != self.signed_on.year:
                errors["signed_year"] = _("The year must match the signing day.")
            self.signed_year = self.signed_on.year
        if self.status == AgreementStatus.SIGNED and not (self.signed_on or self.signed_year):
            errors["signed_year"] = _("A signed agreement needs its signing day or year.")
        try:
            self._clean_signatories()
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)

    def _clean_signatories(self) -> None:
        """The signatories (those a form submits, else those stored) stay within the parties."""
        if self.hub_organisation_id is None or self.partner_organisation_id is None:
            return
        if self.pending_signatories is not None:
            self.validate_signatories(self.pending_signatories)
        elif self.pk is not None:
            # Parties changed around the stored signatories: the error goes to the party
            # that changed.
            hub, _partner = (
                CooperationAgreement.objects.filter(pk=self.pk)
                .values_list("hub_organisation_id", "partner_organisation_id")
                .get()
            )
            field = (
                "hub_organisation" if hub != self.hub_organisation_id else "partner_organisation"
            )
            self.validate_signatories(self.signatories.select_related("organisation"), field=field)

    def validate_signatories(
        self, contacts: "models.QuerySet[Contact] | list[Contact]", *, field: str = "signatories"
    ) -> None:
        """Refuse signatories who belong to neither of the agreement's two organisations."""
        parties = {self.hub_organisation_id, self.partner_organisation_id}
        outsiders = [contact for contact in contacts if contact.organisation_id not in parties]
        if outsiders:
            raise ValidationError(
                {
                    field: [
                        _(
                            "%(contact)s belongs to %(organisation)s, which is not a party to "
                            "this agreement: signatories belong to %(hub)s or %(partner)s."
                        )
                        % {
                            "contact": contact,
                            "organisation": contact.organisation.name,
                            "hub": self.hub_organisation.name,
                            "partner": self.partner_organisation.name,
                        }
                        for contact in outsiders
                    ]
                }
            )

    @property
    def is_active(self) -> bool:
        """Whether the agreement is signed and valid today."""
        today = timezone.localdate()
        return (
            self.status == AgreementStatus.SIGNED
            and (self.valid_from is None or self.valid_from <= today)
            and (self.valid_until is None or self.valid_until >= today)
        )

    @property
    def days_left(self) -> int | None:
        """Days until the validity ends, or None when it is open-ended."""
        if self.valid_until is None:
            return None
        return (self.valid_until - timezone.localdate()).days

    @property
    def is_expiring(self) -> bool:
        """Whether an active agreement ends within the warning period."""
        days = self.days_left
        return self.is_active and days is not None and days <= EXPIRY_WARNING_DAYS


def refuse_outside_signatories(sender, *, instance, action, reverse, pk_set, **kwargs) -> None:
    """Every write of signatories (admin, loader, shell) keeps them within the two parties.

    The admin form checks the submitted signatories first and shows the message as a
    field error; this check holds for every other path, in the write's transaction.
    """
    if action != "pre_add" or not pk_set:
        return
    if reverse:  # contact.signed_agreements.add(agreement, ...)
        agreements = CooperationAgreement.objects.filter(pk__in=pk_set).select_related(
            "hub_organisation", "partner_organisation"
        )
        contacts = [instance]
    else:
        agreements = [instance]
        contacts = Contact.objects.filter(pk__in=pk_set).select_related("organisation")
    for agreement in agreements:
        agreement.validate_signatories(contacts)


m2m_changed.connect(
    refuse_outside_signatories,
    sender=CooperationAgreement.signatories.through,
    dispatch_uid="cities.refuse_outside_signatories",
)
