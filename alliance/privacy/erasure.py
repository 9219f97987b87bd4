"""Erasing an account: every rule of what is deleted, anonymised or kept, in one place.

`erase_account` runs them in one transaction, in this order (each has its test in
tests/privacy/test_erasure.py):

1. **Start-ups the user is the last owner of** (no other owner in the team):
   - applications that are still alive (submitted, in review, shortlisted, waitlisted,
     accepted, confirmed) are withdrawn through the state machine's `withdraw_application`,
     with the user as the acting owner: history, emails and a freed seat's backfill happen
     as for any withdrawal;
   - drafts are deleted (with their answers);
   - a start-up left with no application is deleted (its memberships and invitations go
     with it); one whose applications ended (rejected, withdrawn, expired) is kept only as
     an anonymous shell "Erased start-up <id>" because an application cannot exist without
     its start-up (`Application.startup` is required) and the programme's statistics count
     them: name, slug, website, pitch and "other city" replaced or cleared; sector, stage,
     country, home city, founding date and team size kept (no person is named by them).
2. **Those kept applications** lose their personal text: motivation, goals, answers'
   values, staff's staged comment, the comments of their history, reviews' and partner
   recommendations' comments (they may name the team) and the pitch deck; `created_by`
   is emptied. Kept: programme, states and dates, needs (a fixed list of choices), scores,
   and the consent wording (the programme's text that was agreed to, not the user's).
3. **Partners** get a tombstone (`feed.remove`) for every share of every affected
   application, then `application.removed` webhooks through the feed's own followers.
   Stored webhook bodies about those applications have the user's email and name taken
   out.
4. **Memberships** of the user are deleted in every start-up; invitations to the user's
   address are deleted; applications and invitations the user created elsewhere no longer
   name them (`created_by`, `invited_by` emptied).
5. **The account row is kept, anonymised**, not deleted: the audit log, the history of
   applications and reviews point at it, and deleting it would turn "an erased account
   withdrew this" into "nobody did". Email becomes `erased-<id>@erased.invalid` (unique,
   RFC 2606's reserved domain: nothing is ever sent there), name emptied, password
   unusable, inactive, no staff rights, groups or permissions, reminders off, language
   and time zone back to the defaults. allauth's email addresses and second factors are
   deleted; the user's sessions are ended (those `UserSession` knows; the unusable
   password makes any other invalid too: Django checks the password's hash on every
   request).
6. **The outbox**: messages to the user lose subject, text, HTML and unsubscribe link and
   are addressed to the placeholder; those not yet sent are marked failed so nothing is
   sent. Messages to others have the user's email and full name replaced by "[erased]".
7. **The audit logs** (django-auditlog's and the admin's) keep every entry (who changed
   what, when) but not the personal values: in entries about the user's own objects (the
   account, memberships, the erased start-ups and applications) and in entries the user
   made, the email and name (full and first word) are replaced by "[erased]" in the
   object's name, the changes and the extra data; the user's IP address is removed from
   the entries they made.
8. **Files** (pitch decks of deleted and anonymised applications) are deleted from
   storage once the transaction commits: a rollback keeps them.
"""

import json
import re
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from auditlog.models import LogEntry
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from alliance.accounts.models import User
from alliance.accounts.staff_security import end_other_sessions
from alliance.mail.models import EmailMessage, EmailStatus
from exchanges.models import (
    Answer,
    Application,
    ApplicationEvent,
    Recommendation,
    Review,
    State,
)
from exchanges.partners import feed
from exchanges.partners.models import ApplicationShare
from exchanges.partners.webhooks.models import WebhookEvent
from exchanges.services import withdraw_application
from startups.models import Invitation, Membership, Role, Startup

ERASED = "[erased]"
# Still alive: withdrawn at erasure. Drafts are deleted; the other states have ended.
ALIVE = (
    State.SUBMITTED,
    State.IN_REVIEW,
    State.SHORTLISTED,
    State.WAITLISTED,
    State.ACCEPTED,
    State.CONFIRMED,
)


@dataclass
class Erasure:
    """What an erasure did, in counts and ids (never personal values)."""

    user_id: int
    withdrawn: list[int] = field(default_factory=list)
    deleted_drafts: list[int] = field(default_factory=list)
    anonymised_applications: list[int] = field(default_factory=list)
    deleted_startups: list[int] = field(default_factory=list)
    anonymised_startups: list[int] = field(default_factory=list)
    tombstones: int = 0
    files: list[str] = field(default_factory=list)


def placeholder_email(user: User) -> str:
    """The address an erased account keeps: unique, naming no one, never deliverable."""
    return f"erased-{user.pk}@erased.invalid"


@transaction.atomic
def erase_account(user: User, *, now=None) -> Erasure:
    """Erase or anonymise everything personal about `user`, in one transaction."""
    now = now or timezone.now()
    user = User.objects.select_for_update().get(pk=user.pk)
    email, name = user.email, user.name
    result = Erasure(user_id=user.pk)
    startups = _last_owned_startups(user)
    affected = _withdraw_alive(startups, user, result)
    _delete_drafts(startups, result)
    kept = list(Application.objects.filter(startup__in=startups).select_related("startup"))
    affected |= {application.pk for application in kept}
    shares = ApplicationShare.objects.filter(application_ref__in=affected)
    result.tombstones = feed.remove(shares, now)
    _anonymise_applications(kept, result)
    _delete_or_anonymise_startups(startups, result)
    _forget_in_other_teams(user)
    _erase_user(user)
    _scrub_outbox(user, email, name)
    _scrub_webhook_bodies(affected, email, name)
    erased = affected | set(result.deleted_drafts)  # a deleted draft's entries held its text
    _scrub_audit_logs(user, email, name, {s.pk for s in startups}, erased)
    names = [name for name in result.files if name]
    if names:
        transaction.on_commit(lambda: _delete_files(names), robust=True)
    return result


def _last_owned_startups(user: User) -> list[Startup]:
    """The start-ups the user owns with no other owner: they are left without one."""
    owned = Startup.objects.filter(memberships__user=user, memberships__role=Role.OWNER)
    others = Membership.objects.filter(startup=models.OuterRef("pk"), role=Role.OWNER).exclude(
        user=user
    )
    return list(owned.exclude(models.Exists(others)).order_by("pk"))


def _withdraw_alive(startups: list[Startup], user: User, result: Erasure) -> set[int]:
    alive = Application.objects.filter(startup__in=startups, state__in=ALIVE).order_by("pk")
    for application in alive:
        withdraw_application(application, by=user)  # history, emails, backfill
        result.withdrawn.append(application.pk)
    return set(result.withdrawn)


def _delete_drafts(startups: list[Startup], result: Erasure) -> None:
    for draft in Application.objects.filter(startup__in=startups, state=State.DRAFT):
        result.deleted_drafts.append(draft.pk)
        result.files.append(draft.pitch_deck.name)
        draft.delete()  # its shares (none: never submitted) would become tombstones


def _anonymise_applications(applications: list[Application], result: Erasure) -> None:
    pks = [application.pk for application in applications]
    for application in applications:
        result.files.append(application.pitch_deck.name)
        application.motivation = ""
        application.goals = ""
        application.pending_comment = ""
        application.pitch_deck = ""
        application.pitch_deck_filename = ""
        application.created_by = None
        application.save(
            update_fields=[
                "motivation",
                "goals",
                "pending_comment",
                "pitch_deck",
                "pitch_deck_filename",
                "created_by",
            ]
        )
        result.anonymised_applications.append(application.pk)
    # Bulk writes: these rows have no audit entries of their own to keep right.
    Answer.objects.filter(application__in=pks).update(value="")
    ApplicationEvent.objects.filter(application__in=pks).update(comment="")
    for model in (Review, Recommendation):  # audited: saved one by one, logged
        for row in model.objects.filter(application__in=pks).exclude(comment=""):
            row.comment = ""
            row.save(update_fields=["comment"])


def _delete_or_anonymise_startups(startups: list[Startup], result: Erasure) -> None:
    for startup in startups:
        Invitation.objects.filter(startup=startup).delete()
        Membership.objects.filter(startup=startup).delete()
        if not startup.applications.exists():
            result.deleted_startups.append(startup.pk)
            startup.delete()
            continue
        # Stored data, in one language whatever the erasing request's (staff read it).
        startup.name = f"Erased start-up {startup.pk}"
        startup.slug = f"erased-{startup.pk}"
        startup.website = ""
        startup.pitch = ""
        if startup.city_id:  # the constraint wants a city or another one's name
            startup.other_city = ""
        startup.save(update_fields=["name", "slug", "website", "pitch", "other_city"])
        result.anonymised_startups.append(startup.pk)


def _forget_in_other_teams(user: User) -> None:
    Membership.objects.filter(user=user).delete()
    Invitation.objects.filter(email__iexact=user.email).delete()
    Invitation.objects.filter(invited_by=user).update(invited_by=None)
    for application in Application.objects.filter(created_by=user):
        application.created_by = None
        application.save(update_fields=["created_by"])


def _erase_user(user: User) -> None:
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    end_other_sessions(user)  # every one: the erasing request's own is ended by its logout
    defaults = {f.name: f.get_default() for f in User._meta.fields}
    user.email = placeholder_email(user)
    user.name = ""
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.receives_reminders = False
    user.email_verified_at = None
    user.language = defaults["language"]
    user.time_zone = defaults["time_zone"]
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


def _scrub_outbox(user: User, email: str, name: str) -> None:
    to_user = EmailMessage.objects.filter(recipient__iexact=email)
    to_user.filter(status__in=[EmailStatus.QUEUED, EmailStatus.SENDING]).update(
        status=EmailStatus.FAILED, last_error="The recipient's account was erased."
    )
    to_user.update(
        recipient=user.email, subject=ERASED, body_text="", body_html="", unsubscribe_url=""
    )
    words = _words(email, name, first=False)
    if not words:
        return
    mentions = Q()
    for word in words:
        mentions |= Q(subject__icontains=word) | Q(body_text__icontains=word)
        mentions |= Q(body_html__icontains=word)
    for message in EmailMessage.objects.filter(mentions):
        message.subject = _scrub(message.subject, words)
        message.body_text = _scrub(message.body_text, words)
        message.body_html = _scrub(message.body_html, words)
        message.save(update_fields=["subject", "body_text", "body_html"])


def _scrub_webhook_bodies(applications: set[int], email: str, name: str) -> None:
    words = _words(email, name, first=False)
    # A body is JSON: a name with non-ASCII letters may be stored \u-escaped.
    words += [json.dumps(word)[1:-1] for word in words if json.dumps(word)[1:-1] != word]
    for event in WebhookEvent.objects.filter(application_ref__in=applications):
        scrubbed = _scrub(event.body, words)
        if scrubbed != event.body:
            event.body = scrubbed
            event.save(update_fields=["body"])


# The audited fields whose values an erasure clears: their old values leave the log too.
PERSONAL_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    User: ("email", "name"),
    Startup: ("name", "slug", "website", "pitch", "other_city"),
    Application: ("motivation", "goals", "pending_comment", "pitch_deck", "pitch_deck_filename"),
    Review: ("comment",),
    Recommendation: ("comment",),
}


def _scrub_audit_logs(
    user: User, email: str, name: str, startups: set[int], applications: set[int]
) -> None:
    words = _words(email, name, first=True)
    objects = {
        User: {user.pk},
        Startup: startups,
        Application: applications,
        Review: _pks(Review.objects.filter(application__in=applications)),
        Recommendation: _pks(Recommendation.objects.filter(application__in=applications)),
    }
    types = ContentType.objects.get_for_models(*objects, Membership)
    about = Q(content_type=types[Membership], object_repr__icontains=email)
    cleared = {}
    for model, pks in objects.items():
        about |= Q(content_type=types[model], object_id__in=pks)
        cleared[types[model].pk] = PERSONAL_FIELDS[model]
    LogEntry.objects.filter(actor=user).update(remote_addr=None, remote_port=None)
    for entry in LogEntry.objects.filter(about | Q(actor=user) | Q(actor_email__iexact=email)):
        changes = entry.changes
        erase = cleared.get(entry.content_type_id, ()) if _is_about(entry, objects, types) else ()
        if isinstance(changes, dict):
            changes = {
                key: _erased_values(value) if key in erase else value
                for key, value in changes.items()
            }
        # An update, not save(): auditlog's pre_save would make the erasing request's user
        # the actor of every entry that had none.
        LogEntry.objects.filter(pk=entry.pk).update(
            object_repr=_scrub(entry.object_repr, words),
            changes_text=_scrub(entry.changes_text, words),
            changes=_scrub_json(changes, words),
            serialized_data=_scrub_json(entry.serialized_data, words),
            additional_data=_scrub_json(entry.additional_data, words),
            actor_email=_scrub(entry.actor_email, words) if entry.actor_email else None,
        )
    admin_about = Q(content_type=types[User], object_id=str(user.pk))
    admin_about |= Q(object_repr__icontains=email) | Q(change_message__icontains=email)
    for entry in AdminLogEntry.objects.filter(admin_about):
        entry.object_repr = _scrub(entry.object_repr, words)
        entry.change_message = _scrub(entry.change_message, words)
        entry.save(update_fields=["object_repr", "change_message"])


def _pks(queryset: models.QuerySet) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def _is_about(entry: LogEntry, objects: dict, types: dict) -> bool:
    """Whether the entry is about one of the erased objects (not another of its kind)."""
    return any(
        entry.content_type_id == types[model].pk and entry.object_id in pks
        for model, pks in objects.items()
    )


def _erased_values(value):
    """A change's [old, new] with every value that was not empty replaced by "[erased]"."""
    if isinstance(value, list):
        return [ERASED if item not in (None, "", "None") else item for item in value]
    return ERASED


def _words(email: str, name: str, *, first: bool) -> list[str]:
    """The user's email and name as they may appear in text, longest first."""
    words = [email]
    if name.strip():
        words.append(name.strip())
        first_word = name.split(maxsplit=1)[0]
        if first and len(first_word) >= 3:  # "Hello Ada" in their own entries
            words.append(first_word)
    return sorted({word for word in words if word}, key=len, reverse=True)


def _scrub(text: str, words: list[str]) -> str:
    for word in words:
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", ERASED, text or "", flags=re.IGNORECASE)
    return text


def _scrub_json(value, words: list[str]):
    if isinstance(value, str):
        return _scrub(value, words)
    if isinstance(value, list):
        return [_scrub_json(item, words) for item in value]
    if isinstance(value, dict):
        return {key: _scrub_json(item, words) for key, item in value.items()}
    return value


def _delete_files(names: list[str]) -> None:
    storage = Application._meta.get_field("pitch_deck").storage
    for name in names:
        storage.delete(name)
