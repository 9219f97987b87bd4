"""The one list of audited models, registered with django-auditlog by label."""

from dataclasses import dataclass

from auditlog.registry import auditlog
from auditlog.signals import post_log
from django.apps import apps
from django.db import models
from django.db.models.signals import pre_save
from modeltranslation.translator import NotRegistered, translator

from alliance.audit.receivers import drop_empty_to_empty, normalise_decimals


@dataclass(frozen=True)
class Audited:
    """A model to audit: its label, fields never stored, many-to-many fields to follow."""

    label: str
    exclude: tuple[str, ...] = ()
    m2m: tuple[str, ...] = ()


# A label that names no model (after a model moves to another app) is reported by the
# check `audit.W001` and fails tests/alliance/test_audit.py: never skipped in silence.
AUDITED: tuple[Audited, ...] = (
    Audited("cities.city"),
    Audited("cities.partnerorganisation"),
    Audited("cities.contact"),
    Audited("cities.cooperationagreement", m2m=("signatories",)),
    Audited("startups.startup"),
    Audited("startups.membership"),
    Audited(
        "exchanges.exchangeprogramme",
        m2m=("co_organisers", "eligible_origin_cities", "managers", "reviewers"),
    ),
    Audited("exchanges.programmequestion"),
    Audited("exchanges.application"),
    Audited("exchanges.review"),
    Audited("exchanges.score"),
    Audited("exchanges.reviewcriterion"),
    Audited("exchanges.recommendation"),
    # Never a password hash; the login time is no staff write.
    Audited(
        "accounts.user", exclude=("password", "last_login"), m2m=("groups", "user_permissions")
    ),
    Audited("mail.emailtemplate"),
    # Never the key's hash (nor the library's old id, "prefix.hash"); use is no staff write.
    Audited("partners.partnerapikey", exclude=("id", "hashed_key", "last_used_at")),
    # Never a signing secret; the delivery workers' lease and health are no staff write.
    Audited(
        "partners.webhookendpoint",
        exclude=(
            "secret",
            "previous_secret",
            "previous_secret_until",
            "lease_until",
            "lease_token",
            "failing_since",
        ),
    ),
)


def resolve(label: str) -> type[models.Model] | None:
    """The model of an `app_label.model_name` label, or None if there is none."""
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def missing_labels() -> list[str]:
    """The labels of AUDITED that name no installed model."""
    return [entry.label for entry in AUDITED if resolve(entry.label) is None]


def translated_base_fields(model: type[models.Model]) -> tuple[str, ...]:
    """The fields modeltranslation translates: their per-language columns are logged instead.

    A translated field's own attribute reads the active language's column, so logging it
    would record a change that depends on the language of the request.
    """
    try:
        return tuple(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        return ()


def register_audited_models() -> None:
    """Register every model of AUDITED that exists with django-auditlog."""
    post_log.connect(drop_empty_to_empty, dispatch_uid="audit.drop_empty_to_empty")
    for entry in AUDITED:
        model = resolve(entry.label)
        if model is None:
            continue
        auditlog.unregister(model)
        # Before the library's receiver, which compares the values as text.
        pre_save.connect(normalise_decimals, sender=model, dispatch_uid=f"audit.{entry.label}")
        auditlog.register(
            model,
            exclude_fields=[*entry.exclude, *translated_base_fields(model)],
            m2m_fields=set(entry.m2m),
        )
