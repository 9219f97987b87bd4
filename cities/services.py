"""Writes to the network: loading the real data from the project's data file."""

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import models, transaction
from modeltranslation.utils import build_localized_fieldname

from cities.models import AgreementStatus, City, Contact, CooperationAgreement, PartnerOrganisation

NETWORK_FILE = Path(__file__).resolve().parent / "data" / "network.json"
FILE_LANGUAGES = ("en", "de")


@dataclass
class LoadReport:
    """What a load did, per model: rows created, rows updated, fields kept as staff left them."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)

    def count(self, kind: str, model: type[models.Model]) -> None:
        counts = getattr(self, kind)
        name = model._meta.verbose_name_plural
        counts[str(name)] = counts.get(str(name), 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _plain(value: Any) -> Any:
    """Return `value` in the form it is compared and remembered in (JSON-safe)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return str(Decimal(str(value)).normalize())
    if isinstance(value, list | tuple):
        return sorted(_plain(item) for item in value)
    return value


def _translated(values: dict[str, str] | None, column: str) -> dict[str, str]:
    """Spread a {language: text} dictionary over the columns `column_en`, `column_de`, ..."""
    values = values or {}
    return {
        build_localized_fieldname(column, language): values.get(language, "")
        for language in FILE_LANGUAGES
    }


def _apply(
    instance: models.Model,
    values: dict[str, Any],
    *,
    m2m: dict[str, list[models.Model]] | None = None,
    overwrite: bool,
    report: LoadReport,
) -> None:
    """Save the file's values into `instance`, keeping what staff changed unless `overwrite`.

    `loaded_values` remembers what the file said last time: a field whose value differs
    from it was edited by staff and is kept.
    """
    m2m = m2m or {}
    created = instance.pk is None
    remembered = dict(instance.loaded_values)
    current = {name: _plain(getattr(instance, name)) for name in values}
    for name in m2m:
        current[name] = [] if created else _plain(list(getattr(instance, name).all()))

    replace = {}
    for name, value in {**values, **m2m}.items():
        new = _plain(value)
        if current[name] != new:
            # A field the file never set is staff's once they filled it in.
            edited = not created and (
                current[name] != remembered[name]
                if name in remembered
                else current[name] not in (None, "", [])
            )
            if edited and not overwrite:
                report.kept.append(f"{instance._meta.verbose_name} {instance}: {name}")
            else:
                replace[name] = value
        remembered[name] = new

    fields = [name for name in replace if name not in m2m]
    for name in fields:
        setattr(instance, name, replace[name])
    if remembered != instance.loaded_values:
        instance.loaded_values = remembered
        fields.append("loaded_values")
    if created or fields:
        instance.full_clean()
        instance.save(**({} if created else {"update_fields": fields}))
    for name in m2m.keys() & replace.keys():
        getattr(instance, name).set(replace[name])
    if created:
        report.count("created", type(instance))
    elif replace:
        report.count("updated", type(instance))


@transaction.atomic
def load_network(data: dict[str, Any] | None = None, *, overwrite: bool = False) -> LoadReport:
    """Load the network's real data; never overwrite what staff edited unless `overwrite`."""
    if data is None:
        data = json.loads(NETWORK_FILE.read_text(encoding="utf-8"))
    report = LoadReport()

    cities = {}
    for row in data["cities"]:
        city = City.objects.filter(slug=row["slug"]).first() or City(slug=row["slug"])
        _apply(
            city,
            {
                **_translated(row["name"], "name"),
                "country": row["country"],
                "timezone": row["timezone"],
                "latitude": Decimal(str(row["latitude"])),
                "longitude": Decimal(str(row["longitude"])),
                "is_hub": row.get("is_hub", False),
                "joined_year": row.get("joined_year"),
                "joined_on": _date(row.get("joined_on")),
                "member_by": row.get("member_by") or "",
                **_translated(row.get("description"), "description"),
                "sources": row.get("sources", []),
            },
            overwrite=overwrite,
            report=report,
        )
        cities[city.slug] = city

    organisations = {}
    for row in data["organisations"]:
        organisation = PartnerOrganisation.objects.filter(slug=row["slug"]).first()
        organisation = organisation or PartnerOrganisation(slug=row["slug"])
        _apply(
            organisation,
            {
                "name": row["name"],
                "city_id": cities[row["city"]].pk,
                "kind": row["kind"],
                "is_hub_operator": row.get("is_hub_operator", False),
                **_translated(row.get("description"), "description"),
                "sources": row.get("sources", []),
            },
            overwrite=overwrite,
            report=report,
        )
        organisations[organisation.slug] = organisation

    contacts = {}
    for row in data["contacts"]:
        organisation = organisations[row["organisation"]]
        contact = Contact.objects.filter(
            organisation=organisation, full_name=row["full_name"]
        ).first() or Contact(organisation=organisation, full_name=row["full_name"])
        _apply(
            contact,
            {"honorific": row.get("honorific", ""), **_translated(row.get("position"), "position")},
            overwrite=overwrite,
            report=report,
        )
        contacts[contact.full_name] = contact

    for row in data["agreements"]:
        hub, partner = organisations[row["hub"]], organisations[row["partner"]]
        agreement = (
            CooperationAgreement.objects.filter(hub_organisation=hub, partner_organisation=partner)
            .order_by(
                models.Case(models.When(status=AgreementStatus.TERMINATED, then=1), default=0),
                "-pk",
            )
            .first()
        ) or CooperationAgreement(hub_organisation=hub, partner_organisation=partner)
        _apply(
            agreement,
            {
                "status": row["status"],
                "signed_on": _date(row.get("signed_on")),
                "signed_year": row.get("signed_year"),
                **_translated(row.get("summary"), "summary"),
                "sources": row.get("sources", []),
            },
            m2m={"signatories": [contacts[name] for name in row.get("signatories", [])]},
            overwrite=overwrite,
            report=report,
        )
    return report


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None
