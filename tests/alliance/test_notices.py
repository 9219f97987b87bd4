"""The privacy notice, the imprint, the notice version at sign-up, and the cookie list."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone

from alliance.accounts.models import User
from alliance.pages.checks import check_operator
from cities.models import AgreementStatus
from tests.factories import (
    AgreementFactory,
    CityFactory,
    OrganisationFactory,
    ProgrammeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-42"
OPERATOR = {
    "name": "Berlin Partner für Wirtschaft und Technologie GmbH",
    "address": "Fasanenstraße 85, 10623 Berlin",
    "representatives": "Dr. Stefan Franzke",
    "register": "",
    "vat_id": "",
    "email": "info@example.org",
    "phone": "",
    "privacy_email": "privacy@example.org",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("name", ["privacy", "imprint"])
def test_both_pages_render_in_both_languages(client, language, name):
    html = page(client, f"/{language}/{name}/")

    assert f'<html lang="{language}"' in html
    assert "Placeholder" not in html


def test_the_notice_names_the_operator_and_the_contact(client, settings):
    settings.OPERATOR = OPERATOR

    html = page(client, "/en/privacy/")

    assert "Berlin Partner für Wirtschaft und Technologie GmbH" in html
    assert '<a href="mailto:privacy@example.org">privacy@example.org</a>' in html
    assert "Berliner Beauftragte für Datenschutz und Informationsfreiheit" in html
    assert f"Version of {settings.PRIVACY_NOTICE_VERSION}." in html


def test_without_a_privacy_email_the_notice_points_to_the_imprint(client, settings):
    settings.OPERATOR = {**OPERATOR, "privacy_email": "", "email": ""}

    html = page(client, "/en/privacy/")

    assert 'the <a href="/en/imprint/">imprint</a>' in html
    assert "mailto:" not in html


def test_the_notice_links_the_rights_to_their_pages(client):
    html = page(client, "/en/privacy/")

    assert '<a href="/en/accounts/data-export/">download your data</a>' in html
    assert '<a href="/en/accounts/delete-account/">delete your account</a>' in html
    assert '<a href="/en/accounts/profile/">your profile</a>' in html


@pytest.mark.parametrize(
    ("setting", "value", "text"),
    [
        ("RETENTION_DRAFT_MONTHS", 7, "untouched for 7 months is deleted"),
        ("RETENTION_DRAFT_WARNING_DAYS", 11, "by email 11 days before"),
        ("RETENTION_CLOSED_APPLICATION_MONTHS", 5, "pitch deck 5 months after"),
        ("RETENTION_UNVERIFIED_ACCOUNT_DAYS", 13, "deleted after 13 days"),
        ("RETENTION_EMAIL_BODY_DAYS", 17, "cleared after 17 days"),
        ("DATA_EXPORT_LINK_HOURS", 19, "deleted 19 hours after"),
        ("STAFF_SESSION_IDLE_SECONDS", 3 * 3600, "end after 3 hours without activity"),
    ],
)
def test_the_notice_shows_the_retention_settings(client, settings, setting, value, text):
    assert text not in page(client, "/en/privacy/")

    setattr(settings, setting, value)

    assert text in page(client, "/en/privacy/")


def test_the_defaults_are_shown_as_configured(client, settings):
    html = page(client, "/en/privacy/")

    assert f"untouched for {settings.RETENTION_DRAFT_MONTHS} months" in html
    assert f"cleared after {settings.RETENTION_EMAIL_BODY_DAYS} days" in html


def test_the_notice_lists_partners_with_an_active_agreement_and_their_countries(client):
    today = timezone.localdate()
    active = AgreementFactory(
        partner_organisation=OrganisationFactory(
            name="Tel Aviv Innovation Hub", city=CityFactory(name_en="Tel Aviv", country="IL")
        ),
        valid_from=today - datetime.timedelta(days=30),
    )
    AgreementFactory(
        hub_organisation=active.hub_organisation,
        partner_organisation=OrganisationFactory(
            name="Shenzhen Open Office", city=CityFactory(name_en="Shenzhen", country="CN")
        ),
    )
    AgreementFactory(
        hub_organisation=active.hub_organisation,
        partner_organisation=OrganisationFactory(name="Expired Partner"),
        valid_from=today - datetime.timedelta(days=400),
        valid_until=today - datetime.timedelta(days=1),
    )
    AgreementFactory(
        hub_organisation=active.hub_organisation,
        partner_organisation=OrganisationFactory(name="Draft Partner"),
        status=AgreementStatus.DRAFT,
    )
    OrganisationFactory(name="Partner Without Agreement")

    html = page(client, "/en/privacy/")
    german = page(client, "/de/privacy/")

    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", html)
    assert [row[:3] for row in rows] == [
        ("Shenzhen Open Office", "Shenzhen", "China"),
        ("Tel Aviv Innovation Hub", "Tel Aviv", "Israel"),
    ]
    assert "Art. 49(1)(a)" in rows[0][3]
    assert "adequacy decision" in rows[1][3]
    assert active.hub_organisation.name not in html
    for absent in ("Expired Partner", "Draft Partner", "Partner Without Agreement"):
        assert absent not in html
    assert "<td>Israel</td>" in german


def test_the_imprint_shows_the_operator_and_omits_empty_lines(client, settings):
    settings.OPERATOR = OPERATOR

    html = page(client, "/en/imprint/")

    assert "<dd>Berlin Partner für Wirtschaft und Technologie GmbH</dd>" in html
    assert "<dd>Fasanenstraße 85, 10623 Berlin</dd>" in html
    assert "<dd>Dr. Stefan Franzke</dd>" in html
    assert '<a href="mailto:info@example.org">info@example.org</a>' in html
    assert "Register entry" not in html
    assert "VAT identification number" not in html
    assert "Phone" not in html


def test_the_imprint_shows_the_register_when_set(client, settings):
    settings.OPERATOR = {**OPERATOR, "register": "Amtsgericht Charlottenburg HRB 0000"}

    html = page(client, "/en/imprint/")

    assert "<dt>Register entry</dt><dd>Amtsgericht Charlottenburg HRB 0000</dd>" in html


def test_the_sign_up_form_links_both_notices(client):
    html = page(client, "/en/accounts/signup/")

    assert '<a href="/en/privacy/">privacy notice</a>' in html
    assert '<a href="/en/imprint/">imprint</a>' in html


def test_sign_up_records_the_notice_version(client, settings):
    settings.PRIVACY_NOTICE_VERSION = "2027-01-15"

    with transaction.atomic():
        response = client.post(
            "/en/accounts/signup/",
            {
                "name": "Ada Founder",
                "email": "founder@example.com",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )

    assert response.status_code == 302
    assert User.objects.get().privacy_notice_version == "2027-01-15"


def listed_cookies(client) -> set[str]:
    html = page(client, "/en/privacy/")
    section = html.split('id="cookies"', 1)[1]
    return set(re.findall(r"<td><code>(.*?)</code></td>", section))


def test_the_portal_sets_no_cookie_the_notice_does_not_list(settings):
    city = CityFactory()
    programme = ProgrammeFactory(host_city=city)
    UserFactory(email="founder@example.com", password=PASSWORD)
    client = Client()
    listed = listed_cookies(Client())
    assert settings.SESSION_COOKIE_NAME in listed
    assert settings.CSRF_COOKIE_NAME in listed
    set_cookies: set[str] = set()

    def visit(response):
        set_cookies.update(response.cookies.keys())
        return response

    for language in ("en", "de"):
        for path in (
            "",
            "privacy/",
            "imprint/",
            "cities/",
            f"cities/{city.slug}/",
            "programmes/",
            f"programmes/{programme.slug}/",
            "startups/",
            "accounts/login/",
            "accounts/signup/",
            "accounts/password/reset/",
        ):
            visit(client.get(f"/{language}/{path}"))
    visit(client.get("/"))
    with transaction.atomic():
        visit(
            client.post(
                "/en/accounts/signup/",
                {
                    "name": "Ada Founder",
                    "email": "new@example.com",
                    "password1": PASSWORD,
                    "password2": PASSWORD,
                },
            )
        )
    visit(
        client.post("/en/accounts/login/", {"login": "founder@example.com", "password": PASSWORD})
    )
    for path in ("/en/", "/en/accounts/profile/", "/en/applications/", "/en/privacy/"):
        visit(client.get(path))
    visit(client.post("/en/accounts/logout/"))

    assert settings.SESSION_COOKIE_NAME in set_cookies
    assert set_cookies <= listed


def test_the_production_check_warns_about_missing_operator_details(settings):
    settings.PRODUCTION = True
    settings.OPERATOR = {**OPERATOR, "address": "", "email": "", "register": ""}

    warnings = check_operator()

    assert [warning.id for warning in warnings] == ["alliance.W001"] * 3
    assert ["address" in warnings[0].msg, "email" in warnings[1].msg] == [True, True]
    assert "register" in warnings[2].msg


def test_the_production_check_is_quiet_when_complete_or_not_in_production(settings):
    settings.OPERATOR = {**OPERATOR, "register": "Amtsgericht Charlottenburg HRB 0000"}
    settings.PRODUCTION = True
    assert check_operator() == []

    settings.OPERATOR = {**OPERATOR, "address": ""}
    settings.PRODUCTION = False
    assert check_operator() == []


def test_the_check_is_registered():
    from django.core import checks

    assert check_operator in checks.registry.registry.get_checks()


def test_the_recipients_are_read_in_one_query(client, django_assert_num_queries):
    hub = OrganisationFactory(is_hub_operator=True)
    for _ in range(3):
        AgreementFactory(hub_organisation=hub)

    with django_assert_num_queries(1):
        html = page(client, "/en/privacy/")

    assert html.count("<tr><td>Organisation ") == 3
