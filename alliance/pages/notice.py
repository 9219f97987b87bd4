"""What the privacy notice states, read from the settings and the database: never typed twice."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cities.models import CooperationAgreement, PartnerOrganisation

# Third countries with an adequacy decision of the European Commission (Art. 45 GDPR) in
# which the network has cities today; the rest of the world is reached on consent.
ADEQUACY = {"AD", "AR", "CA", "CH", "FO", "GB", "GG", "IL", "IM", "JE", "JP", "KR", "NZ", "UY"}
EEA = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
    "IS", "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
}  # fmt: skip


@dataclass(frozen=True)
class Recipient:
    name: str
    city: str
    country: str
    transfer_basis: str


@dataclass(frozen=True)
class Cookie:
    name: str
    purpose: str
    lifetime: str


def transfer_basis(country_code: str) -> str:
    """Why sending an application to an organisation in `country_code` is allowed."""
    if country_code in EEA:
        return str(_("within the EU/EEA: no transfer to a third country"))
    if country_code in ADEQUACY:
        return str(_("adequacy decision of the European Commission (Art. 45 GDPR)"))
    if country_code == "US":
        return str(
            _(
                "EU-US Data Privacy Framework where the organisation is certified "
                "(Art. 45 GDPR), otherwise your explicit consent (Art. 49(1)(a) GDPR)"
            )
        )
    return str(_("no adequacy decision: your explicit consent (Art. 49(1)(a) GDPR)"))


def recipients() -> list[Recipient]:
    """The partner organisations with an active cooperation agreement, by country and name."""
    agreements = CooperationAgreement.objects.active()
    organisations = (
        PartnerOrganisation.objects.filter(
            is_hub_operator=False,
            pk__in=agreements.values("partner_organisation"),
        )
        .select_related("city")
        .order_by("city__country", "name")
    )
    return [
        Recipient(
            name=organisation.name,
            city=organisation.city.name,
            country=organisation.city.get_country_display(),
            transfer_basis=transfer_basis(organisation.city.country),
        )
        for organisation in organisations
    ]


def _duration(seconds: int) -> str:
    days, hours = seconds // 86400, seconds // 3600
    if days and seconds % 86400 == 0:
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


def cookies() -> list[Cookie]:
    """Every cookie the portal sets, all strictly necessary (a test holds the list true)."""
    if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE:
        session_lifetime = str(_("until you close the browser"))
    else:
        session_lifetime = _duration(settings.SESSION_COOKIE_AGE)
    found = [
        Cookie(
            settings.SESSION_COOKIE_NAME,
            str(_("Keeps you logged in and remembers a form between two steps.")),
            session_lifetime,
        ),
    ]
    if not settings.CSRF_USE_SESSIONS:
        found.append(
            Cookie(
                settings.CSRF_COOKIE_NAME,
                str(_("Protects forms against cross-site request forgery.")),
                _duration(settings.CSRF_COOKIE_AGE),
            )
        )
    storage = getattr(settings, "MESSAGE_STORAGE", "")
    if storage.endswith(("FallbackStorage", "CookieStorage")):
        found.append(
            Cookie(
                CookieStorage.cookie_name,
                str(_("Carries a short message, such as a confirmation, to the next page.")),
                str(_("until the message is shown")),
            )
        )
    return found


def retention() -> dict[str, int]:
    """The retention periods as configured, by setting name (lower case)."""
    names = [
        "RETENTION_DRAFT_MONTHS",
        "RETENTION_DRAFT_WARNING_DAYS",
        "RETENTION_CLOSED_APPLICATION_MONTHS",
        "RETENTION_UNVERIFIED_ACCOUNT_DAYS",
        "RETENTION_EMAIL_BODY_DAYS",
        "DATA_EXPORT_LINK_HOURS",
        "STAFF_SESSION_IDLE_SECONDS",
    ]
    periods = {name.lower(): getattr(settings, name) for name in names}
    periods["staff_session_idle"] = _duration(settings.STAFF_SESSION_IDLE_SECONDS)
    return periods
