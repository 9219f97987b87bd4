"""The network: cities, partner organisations and their people (agreements: agreement.py)."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Min, Q
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from alliance.accounts.validators import language_choices, validate_time_zone

NETWORK_FOUNDED = 2015
EXPIRY_WARNING_DAYS = 60

UNKNOWN_COUNTRY = _(
    "“%(value)s” is not a country code of ISO 3166: choose a country from the list."
)


def country_choices() -> list[tuple[str, str]]:
    """Every ISO 3166-1 country (django-countries' maintained list), by code and name."""
    return list(countries)


def validate_partial_date(value: str) -> None:
    """Accept an ISO 8601 date to the precision known: 2016, 2018-07 or 2017-11-22."""
    try:
        parse_partial_date(value)
    except ValueError:
        raise ValidationError(
            _("Enter a year (2016), a month (2018-07) or a day (2017-11-22)."),
            code="invalid_partial_date",
        ) from None


def parse_partial_date(value: str) -> tuple[datetime.date, str]:
    """The first day of a partial ISO date and its precision ("year", "month" or "day")."""
    parts = value.split("-")
    if not 1 <= len(parts) <= 3 or len(parts[0]) != 4 or any(len(p) != 2 for p in parts[1:]):
        raise ValueError(value)
    numbers = [int(part) for part in parts] + [1] * (3 - len(parts))
    return datetime.date(*numbers), ("year", "month", "day")[len(parts) - 1]


def validate_country(value: str) -> None:
    """Accept only a two-letter ISO 3166-1 code in capitals, e.g. DE."""
    if value not in countries:
        raise ValidationError(UNKNOWN_COUNTRY, code="invalid_country", params={"value": value})


class OrganisationKind(models.TextChoices):
    ECONOMIC_DEVELOPMENT_AGENCY = "economic_development_agency", _("economic development agency")
    CITY_AGENCY = "city_agency", _("city agency")
    GOVERNMENT_SME_AGENCY = "government_sme_agency", _("government SME agency")
    INCUBATOR_ACCELERATOR = "incubator_accelerator", _("incubator or accelerator")
    CHAMBER = "chamber", _("chamber")
    OTHER = "other", _("other")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SIGNED = "signed", _("signed")
    TERMINATED = "terminated", _("terminated")


class CityQuerySet(models.QuerySet):
    def with_figures(self) -> "CityQuerySet":
        """Annotate counts of organisations and active agreements, and the membership year."""
        today = timezone.localdate()
        return self.annotate(
            organisation_count=Count("organisations", distinct=True),
            active_agreement_count=Count(
                "organisations__agreements_as_partner",
                filter=CooperationAgreement.active_q(
                    today, "organisations__agreements_as_partner__"
                ),
                distinct=True,
            ),
            membership_year=Coalesce(
                "joined_year",
                Min(
                    "organisations__agreements_as_partner__signed_year",
                    filter=Q(organisations__agreements_as_partner__status=AgreementStatus.SIGNED),
                ),
            ),
        )


class City(models.Model):
    """A start-up city of the network; Berlin is the hub."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    country = models.CharField(
        _("country"),
        max_length=2,
        choices=country_choices,
        validators=[validate_country],
        error_messages={"invalid_choice": UNKNOWN_COUNTRY},
    )
    timezone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    joined_year = models.PositiveSmallIntegerField(
        _("joined in (year)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(NETWORK_FOUNDED)],
        help_text=_("Leave empty when unknown: the first signed agreement's year is shown."),
    )
    joined_on = models.DateField(
        _("joined on"), null=True, blank=True, help_text=_("Only when the day is known.")
    )
    member_by = models.CharField(
        _("a member by"),
        max_length=10,
        blank=True,
        validators=[validate_partial_date],
        help_text=_(
            "When the day of joining is not known: the earliest date a source lists the city "
            "as a member (a year, a month or a day, e.g. 2016 or 2018-07)."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    sources = models.JSONField(
        _("sources"),
        default=list,
        blank=True,
        help_text=_("Addresses of the public pages the facts were read from."),
    )
    is_hub = models.BooleanField(
        _("hub city"), default=False, help_text=_("The city whose organisation runs the network.")
    )
    loaded_values = models.JSONField(default=dict, editable=False)

    objects = CityQuerySet.as_manager()

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["-is_hub", "slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_hub"],
                condition=Q(is_hub=True),
                name="city_one_hub",
                violation_error_message=_("There is already a hub city."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90),
                name="city_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__gte=-180, longitude__lte=180),
                name="city_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(country__regex=r"^[A-Z][A-Z]$"), name="city_country_iso"
            ),
            models.CheckConstraint(
                condition=Q(joined_year__isnull=True) | Q(joined_year__gte=NETWORK_FOUNDED),
                name="city_joined_after_founding",
            ),
            models.CheckConstraint(
                condition=Q(name_en__isnull=False) & ~Q(name_en=""), name="city_name_en_required"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cities:city-detail", kwargs={"slug": self.slug})

    @property
    def member_by_date(self) -> tuple[datetime.date, str] | None:
        """`member_by` as the first day it names and its precision, if set."""
        return parse_partial_date(self.member_by) if self.member_by else None

    def clean(self) -> None:
        if self.joined_on and self.joined_year and self.joined_on.year != self.joined_year:
            raise ValidationError(
                {"joined_year": _("The year must match the day the city joined.")}
            )
        if self.joined_on and not self.joined_year:
            self.joined_year = self.joined_on.year


class PartnerOrganisation(models.Model):
    """An organisation in a city that cooperates with Berlin Partner."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("city")
    )
    kind = models.CharField(
        _("kind"), max_length=40, choices=OrganisationKind, default=OrganisationKind.OTHER
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    sources = models.JSONField(
        _("sources"),
        default=list,
        blank=True,
        help_text=_("Addresses of the public pages the facts were read from."),
    )
    is_hub_operator = models.BooleanField(
        _("hub operator"),
        default=False,
        help_text=_("The organisation that runs the network and signs every agreement."),
    )
    loaded_values = models.JSONField(default=dict, editable=False)

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_hub_operator"],
                condition=Q(is_hub_operator=True),
                name="organisation_one_hub_operator",
                violation_error_message=_("There is already a hub organisation."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cities:organisation-detail", kwargs={"slug": self.slug})


class Contact(models.Model):
    """A person at a partner organisation: a signatory or a recipient of notifications."""

    organisation = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("organisation"),
    )
    honorific = models.CharField(
        _("honorific"), max_length=30, blank=True, help_text=_("For example Dr. or Prof.")
    )
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=language_choices,
        default="en",
        help_text=_("The language of the emails this person receives."),
    )
    receives_notifications = models.BooleanField(
        _("receives notifications"),
        default=True,
        help_text=_("Digests and notices about the organisation's programmes."),
    )
    loaded_values = models.JSONField(default=dict, editable=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["organisation__name", "full_name"]
        constraints = [
            models.UniqueConstraint(
                "organisation",
                Lower("email"),
                condition=~Q(email=""),
                name="contact_email_unique_per_organisation",
                violation_error_message=_(
                    "This organisation already has a contact with this email address."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name with its honorific, e.g. Dr. Stefan Franzke."""
        return f"{self.honorific} {self.full_name}" if self.honorific else self.full_name

    def clean(self) -> None:
        """A signatory stays with one of the two parties of each agreement they signed."""
        if self.pk is None or self.organisation_id is None:
            return
        signed = (
            self.signed_agreements.exclude(hub_organisation=self.organisation_id)
            .exclude(partner_organisation=self.organisation_id)
            .select_related("hub_organisation", "partner_organisation")
            .order_by("pk")
        )
        refusals = [
            _(
                "%(contact)s signed the agreement of %(hub)s with %(partner)s: a signatory "
                "belongs to one of its two organisations."
            )
            % {
                "contact": self,
                "hub": agreement.hub_organisation.name,
                "partner": agreement.partner_organisation.name,
            }
            for agreement in signed
        ]
        if refusals:
            raise ValidationError({"organisation": refusals})


# Agreements live in their own module; imported here so Django finds the model and
# `from cities.models import CooperationAgreement` keeps working.
from cities.models.agreement import AgreementQuerySet, CooperationAgreement  # noqa: E402, F401
