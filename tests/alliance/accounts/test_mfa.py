"""Staff accounts: a second factor before /admin/, single-use recovery codes, the
superuser's reset, the audit entries, idle staff sessions, and sessions ended by a new
password. Through allauth's real views, with codes computed by allauth's own helpers."""

import time
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from auditlog import get_logentry_model
from django.contrib import admin
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLResolver, reverse
from django.utils import timezone

from alliance.accounts.models import User, UserSession
from alliance.accounts.staff_security import LAST_SEEN_KEY
from cities.services import load_network
from tests.factories import ApplicationFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _mfa_required(settings):
    settings.STAFF_MFA_REQUIRED = True


def totp_code(secret: str, *, step: int = 0) -> str:
    from allauth.mfa import app_settings

    counter = int(time.time()) // app_settings.TOTP_PERIOD + step
    return format_hotp_value(hotp_value(secret, counter))


def with_totp(user: User) -> str:
    """Give the user an authenticator app (and recovery codes, as allauth would): its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def log_in_with_password(client: Client, email: str):
    return client.post(reverse("account_login"), {"login": email, "password": PASSWORD})


def log_in_fully(client: Client, user: User, secret: str) -> None:
    """Password, then the authenticator app's code: the whole staff login."""
    response = log_in_with_password(client, user.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.content
    assert client.session[SESSION_KEY] == str(user.pk)


def reauthenticate(client: Client) -> None:
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.content


def second_factor_entries(user: User) -> list[str]:
    entries = get_logentry_model().objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_pk=str(user.pk)
    )
    return [
        entry.changes["second factor"][1]
        for entry in entries.order_by("pk")
        if isinstance(entry.changes, dict) and "second factor" in entry.changes
    ]


def goes_to(response, url_name: str) -> bool:
    return response.status_code == 302 and response["Location"].split("?")[0] == reverse(url_name)


# The second factor before /admin/


def test_staff_without_an_authenticator_are_sent_to_set_one_up(client):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)

    response = client.get("/admin/exchanges/application/?o=1")

    assert goes_to(response, "mfa_index")
    assert "next=%2Fadmin%2Fexchanges%2Fapplication%2F%3Fo%3D1" in response["Location"]
    page = client.get(response["Location"])
    assert "Staff accounts need two-factor authentication" in page.content.decode()


def test_staff_who_did_not_use_their_authenticator_are_sent_to_the_second_step(client):
    staff = UserFactory(is_staff=True)
    secret = with_totp(staff)
    client.force_login(staff)

    response = client.get("/admin/")

    assert goes_to(response, "mfa_reauthenticate")
    assert "next=%2Fadmin%2F" in response["Location"]
    response = client.post(response["Location"], {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_staff_member_with_only_a_security_key_is_asked_for_the_key(client):
    staff = UserFactory(is_staff=True)
    Authenticator.objects.create(user=staff, type=Authenticator.Type.WEBAUTHN, data={})
    client.force_login(staff)

    assert goes_to(client.get("/admin/"), "mfa_reauthenticate_webauthn")


def test_the_switch_off_lets_force_logged_in_staff_through(client, settings):
    settings.STAFF_MFA_REQUIRED = False
    client.force_login(UserFactory(is_staff=True))

    assert client.get("/admin/").status_code == 200


def test_founders_are_not_asked_and_find_two_factor_in_their_profile(client):
    founder = UserFactory()
    client.force_login(founder)

    response = client.get(reverse("profile"))

    assert response.status_code == 200
    assert f'href="{reverse("mfa_index")}"' in response.content.decode()
    two_factor = client.get(reverse("mfa_index"))
    assert two_factor.status_code == 200
    assert "Continue to the admin" not in two_factor.content.decode()


def test_staff_may_log_out_of_the_admin_without_a_second_factor(client):
    client.force_login(UserFactory(is_staff=True))

    response = client.post(reverse("admin:logout"))

    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_login_requires_the_code_and_a_wrong_code_is_refused(client):
    staff = UserFactory(is_staff=True, email="staff@berlin-partner.example")
    secret = with_totp(staff)

    response = log_in_with_password(client, staff.email)

    assert goes_to(response, "mfa_authenticate")
    assert SESSION_KEY not in client.session
    assert client.get("/admin/")["Location"].startswith(reverse("admin:login"))
    wrong = format_hotp_value((int(totp_code(secret)) + 1) % 10**6)
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert client.session[SESSION_KEY] == str(staff.pk)
    assert client.get("/admin/").status_code == 200


# allauth announces the new authenticator after commit: within the request, as here.
@pytest.mark.django_db(transaction=True)
def test_setting_up_an_authenticator_app_through_allauth_opens_the_admin(client):
    staff = UserFactory(is_staff=True)
    log_in_with_password(client, staff.email)
    assert goes_to(client.get("/admin/"), "mfa_index")

    # allauth asks for the password again before a second factor is added.
    assert goes_to(client.get(reverse("mfa_activate_totp")), "account_reauthenticate")
    reauthenticate(client)
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    assert response.status_code == 302
    assert set(Authenticator.objects.filter(user=staff).values_list("type", flat=True)) == {
        "totp",
        "recovery_codes",
    }
    # allauth shows the recovery codes next; a link there leads on to the admin.
    codes = client.get(response["Location"]).content.decode()
    assert '<a class="button" href="/admin/">Continue to the admin</a>' in codes
    # Setting it up took a valid code: it counts for this session.
    assert client.get("/admin/").status_code == 200
    assert second_factor_entries(staff) == ["authenticator app added", "recovery codes added"]


def test_removing_the_authenticator_app_is_logged(client, django_capture_on_commit_callbacks):
    staff = UserFactory(is_staff=True)
    secret = with_totp(staff)
    log_in_fully(client, staff, secret)

    reauthenticate(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=staff).exists()
    assert second_factor_entries(staff) == ["authenticator app removed", "recovery codes removed"]


# Recovery codes


def test_a_recovery_code_logs_in_once_and_never_twice(client):
    staff = UserFactory(is_staff=True)
    with_totp(staff)
    codes = RecoveryCodes(
        Authenticator.objects.get(user=staff, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()
    code = codes[0]

    log_in_with_password(client, staff.email)
    response = client.post(reverse("mfa_authenticate"), {"code": code})

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(staff.pk)
    assert client.get("/admin/").status_code == 200
    assert second_factor_entries(staff) == [f"recovery code used ({len(codes) - 1} left)"]

    again = Client()
    log_in_with_password(again, staff.email)
    response = again.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200
    assert SESSION_KEY not in again.session
    response = again.post(reverse("mfa_authenticate"), {"code": codes[1]})
    assert again.session[SESSION_KEY] == str(staff.pk)


# The superuser's reset


def test_a_superuser_resets_a_staff_members_second_factor(client):
    boss = UserFactory(is_staff=True, is_superuser=True, email="boss@berlin-partner.example")
    log_in_fully(client, boss, with_totp(boss))
    staff = UserFactory(is_staff=True, email="lost@berlin-partner.example")
    with_totp(staff)
    phone, laptop = Client(), Client()
    phone.force_login(staff)
    laptop.force_login(staff)
    assert UserSession.objects.filter(user=staff).count() == 2
    changelist = reverse("admin:accounts_user_changelist")
    chosen = {"action": "reset_second_factor", "_selected_action": [staff.pk]}

    confirmation = client.post(changelist, chosen)

    assert confirmation.status_code == 200
    assert "lost@berlin-partner.example: 1 authenticator" in confirmation.content.decode()
    assert Authenticator.objects.filter(user=staff).exists()

    response = client.post(changelist, {**chosen, "confirmed": "yes"})

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=staff).exists()
    assert not UserSession.objects.filter(user=staff).exists()
    assert SESSION_KEY not in phone.session
    assert SESSION_KEY not in laptop.session
    assert client.get("/admin/").status_code == 200  # the superuser's own session stays
    entry = get_logentry_model().objects.filter(object_pk=str(staff.pk)).latest("pk")
    assert entry.actor == boss
    assert second_factor_entries(staff) == [
        "reset by boss@berlin-partner.example: 2 authenticator(s) removed"
    ]
    history = client.get(reverse("admin:accounts_user_history", args=[staff.pk]))
    assert "reset by boss@berlin-partner.example" in history.content.decode()


def test_staff_who_are_not_superusers_cannot_reset(client):
    manager = UserFactory(is_staff=True)
    manager.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user"])
    )
    log_in_fully(client, manager, with_totp(manager))
    staff = UserFactory(is_staff=True)
    with_totp(staff)
    changelist = reverse("admin:accounts_user_changelist")

    page = client.get(changelist)
    client.post(
        changelist,
        {"action": "reset_second_factor", "_selected_action": [staff.pk], "confirmed": "yes"},
    )

    assert "reset_second_factor" not in page.content.decode()
    assert Authenticator.objects.filter(user=staff).count() == 2


# Idle staff sessions


def test_an_idle_staff_session_is_logged_out(client, settings):
    settings.STAFF_SESSION_IDLE_SECONDS = 3600
    client.force_login(UserFactory(is_staff=True))
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 3601
    session.save()

    response = client.get(reverse("profile"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert SESSION_KEY not in client.session


def test_an_active_staff_session_stays_and_a_founders_never_idles(client, settings):
    settings.STAFF_SESSION_IDLE_SECONDS = 3600
    staff_client = Client()
    staff_client.force_login(UserFactory(is_staff=True))
    client.force_login(UserFactory())
    for each, seen in ((staff_client, 3500), (client, 10 * 3600)):
        session = each.session
        session[LAST_SEEN_KEY] = int(time.time()) - seen
        session.save()

    assert staff_client.get(reverse("profile")).status_code == 200
    assert client.get(reverse("profile")).status_code == 200
    # The staff request moved the clock on.
    assert staff_client.session[LAST_SEEN_KEY] >= int(time.time()) - 5


# A new password ends the other sessions


def test_a_password_change_ends_the_users_other_sessions(client):
    founder = UserFactory()
    log_in_with_password(client, founder.email)
    other = Client()
    other.force_login(founder)
    assert UserSession.objects.filter(user=founder).count() == 2

    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "a brand new passphrase",
            "password2": "a brand new passphrase",
        },
    )

    assert response.status_code == 302
    assert client.get(reverse("profile")).status_code == 200
    assert other.get(reverse("profile")).status_code == 302
    assert list(UserSession.objects.filter(user=founder).values_list("session_key", flat=True)) == [
        client.session.session_key
    ]


def test_logging_out_forgets_the_session(client):
    founder = UserFactory()
    client.force_login(founder)

    client.post(reverse("account_logout"))

    assert not UserSession.objects.filter(user=founder).exists()


# Every admin URL


def admin_urls(objects: dict) -> list[str]:
    """Every URL of the admin site, with a real object where the URL names one."""
    content_type = ContentType.objects.get_for_model(User)
    found: list[str] = []

    def walk(patterns, prefix: str, model) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = model
                for registered in admin.site._registry:
                    opts = registered._meta
                    if str(pattern.pattern) == f"{opts.app_label}/{opts.model_name}/":
                        inner = registered
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
                continue
            if pattern.name is None:  # the catch-all: any other path under /admin/
                found.append("/admin/no-such-page/")
                continue
            route = prefix + str(pattern.pattern)
            obj = objects.get(model)
            values = {
                "<path:object_id>": str(obj.pk if obj else 1),
                "<id>": str(obj.pk if obj else 1),
                "<int:content_type_id>": str(content_type.pk),
                "<int:programme_id>": str(objects[ProgrammeFactory._meta.model].pk),
            }
            if route.startswith("^"):  # an app's index
                labels = sorted({m._meta.app_label for m in admin.site._registry})
                found.extend(f"/admin/{app_label}/" for app_label in labels)
                continue
            for placeholder, value in values.items():
                route = route.replace(placeholder, value)
            found.append("/admin/" + route)

    walk(admin.site.urls[0], "", None)
    return found


def test_every_admin_url_needs_the_second_factor(client):
    load_network()
    application = ApplicationFactory()
    objects = {
        type(obj): obj
        for obj in [application, application.programme, application.startup, UserFactory()]
    }
    for registered in admin.site._registry:
        if registered not in objects:
            first = registered._default_manager.first()
            if first is not None:
                objects[registered] = first
    urls = admin_urls(objects)
    assert "/admin/" in urls
    assert f"/admin/exchanges/exchangeprogramme/{application.programme.pk}/board/" in urls
    assert f"/admin/exchanges/application/{application.pk}/change/" in urls
    assert "/admin/exchanges/review/queue/" in urls
    assert len(urls) > 100

    without = Client()
    without.force_login(UserFactory(is_staff=True, is_superuser=True))
    unproven = Client()
    unproven_user = UserFactory(is_staff=True, is_superuser=True)
    with_totp(unproven_user)
    unproven.force_login(unproven_user)
    proven_user = UserFactory(is_staff=True, is_superuser=True)
    log_in_fully(client, proven_user, with_totp(proven_user))
    logout = reverse("admin:logout")

    for url in urls:
        if url == logout:
            continue
        assert goes_to(without.get(url), "mfa_index"), url
        assert goes_to(unproven.get(url), "mfa_reauthenticate"), url
        response = client.get(url)
        assert response.status_code < 500, url
        assert not (response.status_code == 302 and "/2fa/" in response["Location"]), url


def test_a_login_sweeps_the_users_rows_of_sessions_long_expired(client, settings):
    founder = UserFactory()
    old = UserSession.objects.create(
        user=founder,
        session_key="x" * 32,
        created_at=timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE + 1),
    )

    client.force_login(founder)

    assert not UserSession.objects.filter(pk=old.pk).exists()
    assert UserSession.objects.filter(user=founder).count() == 1
