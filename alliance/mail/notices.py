"""Reminders and digests: who may opt out, signed opt-out links, sending each only once.

Each app registers the people it keeps who may opt out (`register_opt_out`, in its
AppConfig.ready()): accounts its users, cities its contacts.
"""

from django.core import signing
from django.db import IntegrityError, models, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from alliance.links import absolute_url
from alliance.mail.models import SentNotice

SALT = "alliance.unsubscribe"

# Model label ("accounts.user") -> (model, the boolean field an opt-out switches off).
_opt_outs: dict[str, tuple[type[models.Model], str]] = {}


def register_opt_out(model: type[models.Model], field: str) -> None:
    """Let people of `model` opt out of reminders and digests by switching `field` off."""
    _opt_outs[model._meta.label_lower] = (model, field)


def unsubscribe_url(person: models.Model, language: str) -> str:
    """A link that opts `person` (a user or a contact) out of reminders, without logging in."""
    token = signing.dumps({"model": person._meta.label_lower, "id": person.pk}, salt=SALT)
    return absolute_url("unsubscribe", language, token=token)


def person_for(token: str) -> models.Model | None:
    """The person an opt-out token was made for, or None if it is not genuine."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    registered = _opt_outs.get(payload.get("model"))
    if registered is None:
        return None
    model, _field = registered
    return model.objects.filter(pk=payload.get("id")).first()


def opt_out(person: models.Model) -> None:
    """Stop reminders and digests for `person`; receipts and decisions still go."""
    _model, field = _opt_outs[person._meta.label_lower]
    setattr(person, field, False)
    person.save(update_fields=[field])


def first_time(kind: str, key: str) -> bool:
    """Record that notice `kind` for `key` is being sent; False if it was sent before."""
    try:
        with transaction.atomic():
            SentNotice.objects.create(kind=kind, key=key)
    except IntegrityError:
        return False
    return True


@csrf_exempt  # the signed token is the authority; mail clients post one-click opt-outs
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Opt out of reminders and digests with a signed link, no login needed."""
    person = person_for(token)
    if person is None:
        raise Http404
    if request.method == "POST":
        opt_out(person)
        return render(request, "alliance/unsubscribe.html", {"done": True})
    return render(request, "alliance/unsubscribe.html", {"done": False})
