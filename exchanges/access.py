"""Which staff see and act on which programmes' applications: reads only, a leaf.

Roles are Django groups (made by a migration, see `alliance/accounts/roles.py`) that
give the permissions; assignment to a programme (`managers`, `reviewers`) gives the
programmes. Staff with `see_every_programme` (the administrators, and superusers) are
assigned to every programme. The admin's querysets, the private files, the exports, the
decision board and the services all ask here.
"""

from django.db.models import Q, QuerySet

from alliance.accounts.models import User
from exchanges.models import Application, ExchangeProgramme, Review
from startups.models import Membership


def _staff(user: User | None) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def sees_every_programme(user: User | None) -> bool:
    return _staff(user) and user.has_perm("exchanges.see_every_programme")


def _assigned(user: User) -> Q:
    """Programmes `user` manages or reviews."""
    return Q(managers=user) | Q(reviewers=user)


def visible_programmes(user: User | None) -> QuerySet[ExchangeProgramme]:
    """Programmes whose applications `user` may see: assigned ones, or all for the few."""
    if not (_staff(user) and user.has_perm("exchanges.view_application")):
        return ExchangeProgramme.objects.none()
    if sees_every_programme(user):
        return ExchangeProgramme.objects.all()
    ids = ExchangeProgramme.objects.filter(_assigned(user)).values("pk")
    return ExchangeProgramme.objects.filter(pk__in=ids)


def visible_applications(user: User | None) -> QuerySet[Application]:
    """Applications `user` may see in the admin, their pitch decks and exports included."""
    if not (_staff(user) and user.has_perm("exchanges.view_application")):
        return Application.objects.none()
    if sees_every_programme(user):
        return Application.objects.all()
    ids = ExchangeProgramme.objects.filter(_assigned(user)).values("pk")
    return Application.objects.filter(programme__in=ids)


def manages(user: User | None, programme: ExchangeProgramme) -> bool:
    """Whether `user` is one of `programme`'s managers, or sees every programme."""
    if not _staff(user):
        return False
    return sees_every_programme(user) or programme.managers.filter(pk=user.pk).exists()


def may_decide(user: User | None, programme: ExchangeProgramme) -> bool:
    """Whether `user` may stage, decide and announce on `programme`'s applications.

    Per programme: for one application, `may_decide_application` (no one decides on a
    start-up they belong to).
    """
    return bool(user and user.has_perm("exchanges.decide_application")) and manages(user, programme)


def may_decide_application(user: User | None, application: Application) -> bool:
    """Whether `user` may decide on `application`: a decider of its programme, not of its team."""
    return may_decide(user, application.programme) and not belongs_to_startup(user, application)


def decided_programmes(user: User | None) -> QuerySet[ExchangeProgramme]:
    """Programmes `user` may decide on."""
    if not (_staff(user) and user.has_perm("exchanges.decide_application")):
        return ExchangeProgramme.objects.none()
    if sees_every_programme(user):
        return ExchangeProgramme.objects.all()
    return ExchangeProgramme.objects.filter(managers=user)


def reviewed_programmes(user: User | None) -> QuerySet[ExchangeProgramme]:
    """Programmes whose applications `user` may review."""
    if not (_staff(user) and user.has_perm("exchanges.review_application")):
        return ExchangeProgramme.objects.none()
    if sees_every_programme(user):
        return ExchangeProgramme.objects.all()
    ids = ExchangeProgramme.objects.filter(_assigned(user)).values("pk")
    return ExchangeProgramme.objects.filter(pk__in=ids)


def belongs_to_startup(user: User, application: Application) -> bool:
    return Membership.objects.filter(user=user, startup_id=application.startup_id).exists()


def may_review(user: User | None, application: Application) -> bool:
    """Whether `user` may review `application`: assigned, and not one of its team."""
    return reviewed_programmes(user).filter(
        pk=application.programme_id
    ).exists() and not belongs_to_startup(user, application)


def exportable_programmes(user: User | None) -> QuerySet[ExchangeProgramme]:
    """Programmes whose applications `user` may export: visible ones, with the permission."""
    if not (_staff(user) and user.has_perm("exchanges.export_application")):
        return ExchangeProgramme.objects.none()
    return visible_programmes(user)


def may_export(user: User | None, programme: ExchangeProgramme) -> bool:
    return exportable_programmes(user).filter(pk=programme.pk).exists()


def _unlocked_applications(user: User | None) -> QuerySet[Application]:
    """Applications whose every review `user` reads: those they decide on (not of their own
    team), and those they reviewed without abstaining (a declared conflict abstains).

    One rule for the review list, the review pages and the application page.
    """
    if not _staff(user):
        return Application.objects.none()
    decided = Q(programme__in=decided_programmes(user))
    reviewed = Q(
        pk__in=Review.objects.filter(
            reviewer=user, abstained=False, conflict_of_interest=False
        ).values("application_id")
    )
    return (
        visible_applications(user)
        .filter(decided | reviewed)
        .exclude(startup__in=Membership.objects.filter(user=user).values("startup_id"))
    )


def reviews_visible_to(user: User | None) -> QuerySet[Review]:
    """The reviews `user` reads: their own, and every review of an unlocked application."""
    if not _staff(user):
        return Review.objects.none()
    return Review.objects.filter(application__programme__in=visible_programmes(user)).filter(
        Q(reviewer=user) | Q(application__in=_unlocked_applications(user))
    )


def sees_others_reviews(user: User | None, application: Application) -> bool:
    """Whether `user` reads every review of `application` (see `reviews_visible_to`)."""
    return _unlocked_applications(user).filter(pk=application.pk).exists()
