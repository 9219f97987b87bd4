"""Writes to start-ups and their teams; who may do what is `startups.rules`."""

import datetime
import itertools
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance.accounts.models import User
from alliance.errors import DomainError
from alliance.links import absolute_url
from alliance.mail.outbox import Recipient, queue_email
from startups.models import FOUNDED_IN_FUTURE, Invitation, Membership, Role, Startup
from startups.rules import leave_refusal, membership_of, require_owner

INVITATION_DAYS = 14
INVITATIONS_PER_DAY = 20
RESERVED_SLUGS = {"new", "invitations"}  # paths under /startups/ that are not start-ups
SLUG_ATTEMPTS = 50


def _slugs(base: str):
    """The possible slugs in order: `acme`, `acme-2`, `acme-3` …"""
    for number in itertools.count(1):
        slug = base if number == 1 else f"{base}-{number}"
        if slug not in RESERVED_SLUGS:
            yield slug


@transaction.atomic
def create_startup(startup: Startup, *, by: User) -> Startup:
    """Save a new start-up under a free slug made from its name, its creator its first owner."""
    _check_profile(startup)
    startup.take_country_from_city()
    base = slugify(startup.name)[:80] or "startup"
    taken = set(Startup.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    candidates = (slug for slug in _slugs(base) if slug not in taken)
    # Someone may take the free slug between the check and the insert: the unique
    # constraint decides, and the next slug is tried.
    for slug in itertools.islice(candidates, SLUG_ATTEMPTS):
        startup.slug = slug
        try:
            with transaction.atomic():
                startup.save(force_insert=True)
            break
        except IntegrityError:
            startup.pk = None
            if not Startup.objects.filter(slug=slug).exists():
                raise  # another rule was broken, not the slug's uniqueness
    else:
        raise DomainError("no_slug", gettext_lazy("Please try again in a moment."))
    Membership.objects.create(startup=startup, user=by, role=Role.OWNER)
    return startup


@transaction.atomic
def update_startup(startup: Startup, *, by: User) -> Startup:
    """Save a team member's changes to the start-up's profile (and what follows the save:
    the partners' feed moves its applications, in this transaction)."""
    if membership_of(startup, by) is None:
        raise DomainError("not_member", gettext_lazy("You are not in this team."))
    _check_profile(startup)
    startup.take_country_from_city()
    startup.save()
    return startup


def _check_profile(startup: Startup) -> None:
    """What a profile must be, whoever saves it (the form says it at the field first)."""
    if startup.founded_in_future():
        raise DomainError("founded_in_future", FOUNDED_IN_FUTURE)


@transaction.atomic
def invite_member(startup: Startup, *, email: str, role: Role, by: User) -> Invitation:
    """Invite someone by email to the team; the mail is in the inviter's language."""
    require_owner(startup, by)
    if by.email_verified_at is None:
        raise DomainError(
            "email_not_verified",
            gettext_lazy("Confirm your email address before you invite others."),
        )
    recent = Invitation.objects.filter(
        invited_by=by, created_at__gte=timezone.now() - datetime.timedelta(days=1)
    ).count()
    if recent >= INVITATIONS_PER_DAY:
        raise DomainError(
            "too_many_invitations",
            gettext_lazy("You have sent many invitations today. Please try again tomorrow."),
        )
    if Membership.objects.filter(startup=startup, user__email__iexact=email).exists():
        raise DomainError("already_member", gettext_lazy("This person is already in the team."))
    invitation = Invitation.objects.create(
        startup=startup,
        email=email,
        role=role,
        token=secrets.token_urlsafe(32),
        invited_by=by,
        expires_at=timezone.now() + datetime.timedelta(days=INVITATION_DAYS),
    )
    queue_email(
        "startups/email/invitation",
        to=[Recipient(email, by.language)],
        context={
            "startup": startup.name,
            "inviter": by.get_full_name(),
            "accept_url": absolute_url(
                "startups:invitation-accept", by.language, token=invitation.token
            ),
            "days": str(INVITATION_DAYS),
        },
        about=startup,
        confidential=True,  # the link lets its reader join the team
    )
    return invitation


@transaction.atomic
def accept_invitation(invitation: Invitation, *, by: User) -> Membership:
    """Join the team the invitation is for, as the person it was sent to."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None or invitation.expires_at <= timezone.now():
        raise DomainError(
            "invitation_invalid", gettext_lazy("This invitation has expired or was already used.")
        )
    if invitation.email.lower() != by.email.lower():
        raise DomainError(
            "invitation_other_email",
            _("This invitation was sent to %(email)s. Log in with that address to accept it.")
            % {"email": invitation.email},
        )
    membership, _created = Membership.objects.get_or_create(
        startup=invitation.startup, user=by, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


@transaction.atomic
def leave_team(startup: Startup, *, by: User) -> None:
    """Leave a start-up's team; its last owner cannot leave."""
    memberships = list(Membership.objects.select_for_update().filter(startup=startup))
    refusal = leave_refusal(memberships, by)
    if refusal is not None:
        raise refusal
    next(m for m in memberships if m.user_id == by.pk).delete()


@transaction.atomic
def transfer_ownership(startup: Startup, *, to: User, by: User) -> None:
    """Make another team member an owner and the current owner a member."""
    require_owner(startup, by)
    target = Membership.objects.select_for_update().filter(startup=startup, user=to).first()
    if target is None or to.pk == by.pk:
        raise DomainError("not_member", gettext_lazy("Choose another member of the team."))
    current = Membership.objects.select_for_update().get(startup=startup, user=by)
    target.role = Role.OWNER
    target.save(update_fields=["role"])
    # Each row is saved (not a bulk update), so whatever follows saves sees the change.
    current.role = Role.MEMBER
    current.save(update_fields=["role"])
