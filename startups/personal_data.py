"""A founder's start-ups, memberships and invitations.

Registered with alliance.privacy.registry (imported by alliance/privacy/apps.py).
"""

from alliance.privacy.registry import register
from startups.models import Invitation, Membership, Role, Startup


def owned_startups(user):
    """The start-ups `user` owns: their profiles are the owner's data."""
    return Startup.objects.filter(memberships__user=user, memberships__role=Role.OWNER).distinct()


def _memberships(user):
    return Membership.objects.filter(user=user)


def _invitations_to(user):
    return Invitation.objects.filter(email__iexact=user.email)


register("startups.Startup", rows=owned_startups)
register("startups.Membership", rows=_memberships)
register(
    "startups.Invitation",
    rows=_invitations_to,
    # Invitations sent to the user's address; invitations the user sent name other people.
    exclude=("token", "invited_by"),
)
