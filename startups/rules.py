"""Who may do what in a start-up's team: reads only, no writes (a leaf for other apps)."""

from django.utils.translation import gettext_lazy

from alliance.accounts.models import User
from alliance.errors import DomainError
from startups.models import Membership, Role, Startup


def membership_of(startup: Startup, user: User | None) -> Membership | None:
    """The user's place in the start-up's team, or None."""
    if not (user and user.is_authenticated):
        return None
    return Membership.objects.filter(startup=startup, user=user).first()


def is_owner(startup: Startup, user: User | None) -> bool:
    membership = membership_of(startup, user)
    return membership is not None and membership.role == Role.OWNER


def require_owner(startup: Startup, user: User | None) -> None:
    """Refuse (`not_owner`) unless `user` is an owner of `startup`."""
    if not is_owner(startup, user):
        raise DomainError("not_owner", gettext_lazy("Only an owner of the start-up can do this."))


LAST_OWNER = gettext_lazy("A start-up always keeps an owner: make someone else owner first.")


def leave_refusal(memberships: list[Membership], user: User) -> DomainError | None:
    """Why `user` may not leave the team of these memberships, if they may not."""
    mine = next((m for m in memberships if m.user_id == user.pk), None)
    if mine is None:
        return DomainError("not_member", gettext_lazy("You are not in this team."))
    owners = [m for m in memberships if m.role == Role.OWNER]
    if mine.role == Role.OWNER and len(owners) == 1:
        return DomainError("last_owner", LAST_OWNER)
    return None
