"""Partner organisations' recommendations on the applications they see, given with a key.

One recommendation per organisation and application, changed in place until the
programme's decisions are announced (as staff reviews close then). Each change is one
audit entry that names the key (a key is no user, so the entry has no actor: the key is
in its `additional_data`) and one `recommendation.changed` webhook event, both in the
transaction of the change; saying the same again writes nothing.
"""

import contextvars
from collections.abc import Callable

from auditlog.context import set_extra_data
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from alliance.errors import DomainError
from exchanges.models import ExchangeProgramme, Recommendation, Verdict
from exchanges.partners.models import ApplicationShare, PartnerApiKey
from exchanges.partners.webhooks import events

COMMENT_LIMIT = Recommendation._meta.get_field("comment").max_length


def _seen(key: PartnerApiKey, application_id: int) -> tuple[int, int]:
    """(application id, programme id) if the key's organisation sees it now, else Http404."""
    found = (
        ApplicationShare.objects.live()
        .filter(organisation_id=key.organisation_id, application_ref=application_id)
        .values_list("application_id", "application__programme_id")
        .first()
    )
    if found is None:
        raise Http404
    return found


def recommendation_of(key: PartnerApiKey, application_id: int) -> Recommendation:
    """The key's organisation's recommendation on an application it sees, else Http404."""
    seen, _programme = _seen(key, application_id)
    found = Recommendation.objects.filter(
        organisation_id=key.organisation_id, application_id=seen
    ).first()
    if found is None:
        raise Http404
    return found


def _check(verdict: str, comment: str) -> None:
    errors = {}
    if verdict not in Verdict.values:
        errors["verdict"] = _("Choose one of: %(verdicts)s.") % {
            "verdicts": ", ".join(Verdict.values)
        }
    if len(comment) > COMMENT_LIMIT:
        errors["comment"] = _("At most %(limit)d characters.") % {"limit": COMMENT_LIMIT}
    elif "\x00" in comment:
        errors["comment"] = _("The comment may not contain NUL characters.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def recommend(
    key: PartnerApiKey, application_id: int, *, verdict: str, comment: str = ""
) -> tuple[Recommendation, bool]:
    """Give or change the organisation's recommendation; True if it is new.

    Http404 when the organisation does not see the application; DomainError
    "decisions_announced" once its programme's decisions are out.
    """
    comment = comment.strip()
    _check(verdict, comment)
    seen, programme_id = _seen(key, application_id)
    # The programme's lock, as announcing takes it: no recommendation lands after the
    # announcement, and two for the same application wait for each other.
    programme = ExchangeProgramme.objects.select_for_update().get(pk=programme_id)
    if programme.decisions_announced_at is not None:
        raise DomainError(
            "decisions_announced",
            _("The decisions of this programme are announced: recommendations are closed."),
        )
    recommendation = Recommendation.objects.filter(
        organisation_id=key.organisation_id, application_id=seen
    ).first()
    created = recommendation is None
    if created:
        recommendation = Recommendation(organisation_id=key.organisation_id, application_id=seen)
    elif (recommendation.verdict, recommendation.comment) == (verdict, comment):
        return recommendation, False
    recommendation.verdict = verdict
    recommendation.comment = comment
    as_key(key, recommendation.save)
    events.recommendation_changed(recommendation)
    return recommendation, created


def as_key[T](key: PartnerApiKey, write: Callable[[], T]) -> T:
    """Run `write` with every audit entry it makes naming the key (a key is no user: the
    entries have no actor, the key is in their `additional_data`).

    Run in a copy of the context: auditlog's context managers set their context variable
    and never reset it, which would leave the request's own actor (the middleware's)
    unmatched for whatever the request saves afterwards.
    """
    named = {
        "additional_data": {
            "partner_key": key.pk,
            "partner_key_name": key.name,
            "organisation": key.organisation_id,
        }
    }

    def run() -> T:
        with set_extra_data(context_data=named):
            return write()

    return contextvars.copy_context().run(run)
