"""The staff roles: Django groups made by `accounts/migrations/0002_staff_roles.py`.

A role gives the permissions (which kinds of object staff may see and change); which
programmes a reviewer or a programme manager works on is their assignment to the
programme (`ExchangeProgramme.reviewers`, `.managers`), read by `exchanges/access.py`.
The groups' permission sets are written out in the migrations (0002_staff_roles, and
0003_webhook_permissions for the partners' webhooks); a change to them is a new migration.
"""

from django.contrib.auth.models import Group

from alliance.accounts.models import User

NETWORK_EDITOR = "Network editor"
REVIEWER = "Reviewer"
PROGRAMME_MANAGER = "Programme manager"
ADMINISTRATOR = "Administrator"

ROLES = (NETWORK_EDITOR, REVIEWER, PROGRAMME_MANAGER, ADMINISTRATOR)


def assign_role(user: User, *roles: str) -> User:
    """Make `user` staff in each of `roles` (for tests, the demo data and commands)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"Unknown roles: {', '.join(sorted(unknown))}")
    groups = list(Group.objects.filter(name__in=roles))
    if len(groups) != len(roles):
        raise LookupError("The staff role groups are missing: run the migrations.")
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(*groups)
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)  # the backend caches what it read before
    return user
