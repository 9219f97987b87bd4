import datetime

import pytest
from django.utils import timezone

from alliance.mail.models import EmailMessage
from startups.models import Invitation, Membership, Role, Startup
from tests.factories import CityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PROFILE = {
    "name": "Orbit Robotics",
    "other_city": "",
    "country": "DE",
    "founded_year": "2023",
    "founded_month": "4",
    "website": "https://orbit.example",
    "sector": "industry",
    "stage": "seed",
    "product_launched": "on",
    "team_size": "6",
    "pitch": "Robots that pick parcels.",
}


@pytest.fixture
def owner():
    return MembershipFactory(role=Role.OWNER, user__email="owner@orbit.example")


def test_create_startup_makes_the_creator_its_owner(client):
    user = UserFactory()
    berlin = CityFactory(slug="berlin", country="DE")
    client.force_login(user)

    response = client.post("/en/startups/new/", {**PROFILE, "city": "berlin"})

    startup = Startup.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/startups/{startup.slug}/"
    assert (startup.slug, startup.city, startup.country) == ("orbit-robotics", berlin, "DE")
    assert list(startup.memberships.values_list("user", "role")) == [(user.pk, Role.OWNER)]


def test_create_startup_needs_a_home_city_and_changes_nothing_without(client):
    client.force_login(UserFactory())

    response = client.post("/de/startups/new/", {**PROFILE, "city": ""})

    assert response.status_code == 200
    assert "Wählen Sie eine Stadt des Netzwerks oder nennen Sie eine andere." in (
        response.content.decode()
    )
    assert not Startup.objects.exists()


def test_create_startup_pitch_is_limited_and_script_is_inert(client):
    client.force_login(UserFactory())

    too_long = client.post(
        "/en/startups/new/", {**PROFILE, "other_city": "Lisbon", "pitch": "x" * 501}
    )
    script = client.post(
        "/en/startups/new/",
        {**PROFILE, "other_city": "Lisbon", "name": "<script>alert(1)</script>"},
    )
    page = client.get(script["Location"]).content.decode()

    assert too_long.status_code == 200
    assert Startup.objects.count() == 1
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_startup_pages_are_404_outside_the_team(client, owner):
    client.force_login(UserFactory())
    slug = owner.startup.slug

    assert client.get(f"/en/startups/{slug}/").status_code == 404
    assert client.get(f"/en/startups/{slug}/edit/").status_code == 404
    assert (
        client.post(f"/en/startups/{slug}/edit/", {**PROFILE, "other_city": "X"}).status_code == 404
    )
    assert Startup.objects.get().name == owner.startup.name


def test_startup_pages_need_login(client, owner):
    response = client.get(f"/en/startups/{owner.startup.slug}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/?next=")


def test_a_member_edits_the_profile(client, owner):
    member = MembershipFactory(startup=owner.startup, role=Role.MEMBER)
    client.force_login(member.user)

    response = client.post(
        f"/en/startups/{owner.startup.slug}/edit/", {**PROFILE, "other_city": "Lisbon"}
    )

    assert response.status_code == 302
    assert Startup.objects.get().name == "Orbit Robotics"


def test_owner_invites_a_cofounder_in_the_inviters_language(client, owner):
    owner.user.language = "de"
    owner.user.save()
    client.force_login(owner.user)

    client.post(
        f"/en/startups/{owner.startup.slug}/invite/",
        {"email": "cofounder@orbit.example", "role": "member"},
    )

    invitation = Invitation.objects.get()
    message = EmailMessage.objects.get()
    assert (invitation.email, invitation.role) == ("cofounder@orbit.example", Role.MEMBER)
    assert (message.recipient, message.language) == ("cofounder@orbit.example", "de")
    assert f"/de/startups/invitations/{invitation.token}/" in message.body_text


def test_a_member_cannot_invite(client, owner):
    member = MembershipFactory(startup=owner.startup, role=Role.MEMBER)
    client.force_login(member.user)

    response = client.post(
        f"/en/startups/{owner.startup.slug}/invite/",
        {"email": "x@orbit.example", "role": "owner"},
        follow=True,
    )

    assert "Only an owner of the start-up can do this." in response.content.decode()
    assert not Invitation.objects.exists()


def test_accepting_an_invitation_joins_the_team(client, owner):
    invitation = Invitation.objects.create(
        startup=owner.startup,
        email="Cofounder@orbit.example",
        role=Role.OWNER,
        token="t" * 43,
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    cofounder = UserFactory(email="cofounder@orbit.example")
    client.force_login(cofounder)

    response = client.post(f"/en/startups/invitations/{invitation.token}/")
    again = client.post(f"/en/startups/invitations/{invitation.token}/")

    assert response.status_code == 302
    assert Membership.objects.get(user=cofounder).role == Role.OWNER
    assert "This invitation has expired or was already used." in again.content.decode()


def test_an_invitation_for_another_address_or_expired_is_refused(client, owner):
    invitation = Invitation.objects.create(
        startup=owner.startup,
        email="cofounder@orbit.example",
        token="u" * 43,
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    client.force_login(UserFactory(email="someone@else.example"))

    other = client.post(f"/en/startups/invitations/{invitation.token}/")
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    client.force_login(UserFactory(email="cofounder@orbit.example"))
    expired = client.post(f"/en/startups/invitations/{invitation.token}/")

    assert "This invitation was sent to cofounder@orbit.example." in other.content.decode()
    assert "This invitation has expired or was already used." in expired.content.decode()
    assert Membership.objects.count() == 1
    assert client.get("/en/startups/invitations/nonsense/").status_code == 404


def test_the_last_owner_cannot_leave_but_a_member_can(client, owner):
    member = MembershipFactory(startup=owner.startup, role=Role.MEMBER)
    slug = owner.startup.slug
    client.force_login(owner.user)

    refused = client.post(f"/en/startups/{slug}/leave/", follow=True)
    client.force_login(member.user)
    left = client.post(f"/en/startups/{slug}/leave/")

    assert "A start-up always keeps an owner" in refused.content.decode()
    assert left["Location"] == "/en/startups/"
    assert list(Membership.objects.values_list("user", flat=True)) == [owner.user.pk]


def test_transfer_ownership_then_leave(client, owner):
    member = MembershipFactory(startup=owner.startup, role=Role.MEMBER)
    slug = owner.startup.slug
    client.force_login(owner.user)

    client.post(f"/en/startups/{slug}/transfer/", {"member": member.user.pk})
    client.post(f"/en/startups/{slug}/leave/")

    assert list(Membership.objects.values_list("user", "role")) == [(member.user.pk, Role.OWNER)]


def test_a_member_cannot_transfer_ownership(client, owner):
    member = MembershipFactory(startup=owner.startup, role=Role.MEMBER)
    client.force_login(member.user)

    client.post(f"/en/startups/{owner.startup.slug}/transfer/", {"member": member.user.pk})

    assert Membership.objects.get(user=member.user).role == Role.MEMBER


# Viewed before: the session and its user come from the cache.
@pytest.mark.parametrize(("url", "queries"), [("/en/startups/", 1), ("/en/startups/{slug}/", 7)])
def test_startup_pages_keep_their_query_count(
    client, owner, url, queries, django_assert_num_queries
):
    client.force_login(owner.user)
    path = url.format(slug=owner.startup.slug)
    MembershipFactory(user=owner.user)
    MembershipFactory(startup=owner.startup, role=Role.MEMBER)
    client.get(path)
    with django_assert_num_queries(queries):
        with_few = client.get(path)

    for _ in range(10):
        MembershipFactory(user=owner.user)
        MembershipFactory(startup=owner.startup, role=Role.MEMBER)
    with django_assert_num_queries(queries):
        with_many = client.get(path)

    assert (with_few.status_code, with_many.status_code) == (200, 200)


def test_inviting_needs_a_verified_address_and_is_limited(client, owner):
    owner.user.email_verified_at = None
    owner.user.save()
    client.force_login(owner.user)
    invite = f"/en/startups/{owner.startup.slug}/invite/"

    unverified = client.post(invite, {"email": "a@orbit.example", "role": "member"}, follow=True)
    owner.user.email_verified_at = timezone.now()
    owner.user.save()
    for number in range(20):
        client.post(invite, {"email": f"p{number}@orbit.example", "role": "member"})
    limited = client.post(invite, {"email": "late@orbit.example", "role": "member"}, follow=True)

    assert "Confirm your email address before you invite others." in unverified.content.decode()
    assert "You have sent many invitations today." in limited.content.decode()
    assert Invitation.objects.count() == 20
