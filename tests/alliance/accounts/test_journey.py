"""A founder's way from a programme's page to applying: the name, `next`, and the steps."""

import re
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.db import transaction

from alliance.accounts.journey import is_local
from alliance.accounts.models import User
from alliance.mail.models import EmailMessage
from startups.models import Startup
from tests.factories import CityFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-42"
PROFILE = {
    "name": "Orbit Robotics",
    "city": "berlin",
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
FOREIGN = [
    "https://evil.example/steal",
    "//evil.example/steal",
    "/\\evil.example/steal",
    "/\t/evil.example/steal",
    "///evil.example/steal",
    "http:/evil.example",
    "javascript:alert(1)",
    "evil.example",
]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def programme():
    return ProgrammeFactory(slug="tel-aviv-residency")


def sign_up(client, *, name="Ada Lovelace", next_=""):
    query = f"?next={quote(next_, safe='')}" if next_ else ""
    with transaction.atomic():
        return client.post(
            f"/en/accounts/signup/{query}",
            {
                "name": name,
                "email": "ada@orbit.example",
                "password1": PASSWORD,
                "password2": PASSWORD,
                **({"next": next_} if next_ else {}),
            },
        )


def verification_link(message: EmailMessage) -> str:
    link = re.search(r"https?://\S+", message.body_text).group(0)
    return link.split("testserver", 1)[-1]


def current_step(html: str) -> str:
    """The step marked current ("2 Start-up"), or "" where no steps show."""
    found = re.search(r'<li [^>]*aria-current="step">(.*?)</li>', html)
    return re.sub(r"<[^>]+>", "", found.group(1)) if found else ""


def all_steps(html: str) -> list[str]:
    """Every step as read, done ones with their check mark and "(done)"."""
    items = re.findall(r'<li class="journey-step[^>]*>(.*?)</li>', html)
    return [re.sub(r"<[^>]+>", "", item) for item in items]


def test_signup_asks_for_a_name_first(client):
    page = client.get("/en/accounts/signup/").content.decode()

    assert page.index('name="name"') < page.index('name="email"') < page.index('name="password1"')
    assert 'autocomplete="name"' in page


def test_signup_without_a_name_is_refused(client):
    response = sign_up(client, name="  ")

    assert response.status_code == 200
    assert not User.objects.exists()


def test_the_header_shows_the_name_given_at_signup(client):
    sign_up(client, name="  Ada Lovelace ")
    user = User.objects.get()
    client.force_login(user)

    header = client.get("/en/").content.decode().split("</header>")[0]

    assert user.name == "Ada Lovelace"
    assert '<a href="/en/accounts/profile/">Ada</a>' in header
    assert "ada@orbit.example" not in header


def test_the_header_falls_back_to_the_email_without_a_name(client):
    client.force_login(UserFactory(email="anon@orbit.example", name=""))

    header = client.get("/en/").content.decode().split("</header>")[0]

    assert '<a href="/en/accounts/profile/">anon@orbit.example</a>' in header


def test_the_programme_carries_through_signup_verification_and_login(client, programme):
    back = f"{programme.get_absolute_url()}#apply-heading"

    signed_up = sign_up(client, next_=back)
    link = verification_link(EmailMessage.objects.get())
    confirm_page = client.get(link)
    confirmed = client.post(link, {"next": back})
    login_page = client.get(confirmed["Location"])
    logged_in = client.post(
        confirmed["Location"], {"login": "ada@orbit.example", "password": PASSWORD, "next": back}
    )

    assert signed_up["Location"] == f"/en/accounts/confirm-email/?next={quote(back, safe='')}"
    assert link.endswith(f"?next={quote(back, safe='')}")
    assert f'<input type="hidden" name="next" value="{back}">' in confirm_page.content.decode()
    assert confirmed["Location"] == f"/en/accounts/login/?next={quote(back, safe='')}"
    assert f'<input type="hidden" name="next" value="{back}">' in login_page.content.decode()
    assert logged_in["Location"] == back


def test_the_steps_show_on_the_way_to_a_programme_only(client, programme):
    back = quote(programme.get_absolute_url(), safe="")

    on_the_way = client.get(f"/en/accounts/signup/?next={back}").content.decode()
    elsewhere = client.get("/en/accounts/signup/?next=/en/cities/").content.decode()
    plain = client.get("/en/accounts/login/").content.decode()

    assert current_step(on_the_way) == "1 Account"
    assert 'aria-label="Your way to applying"' in on_the_way
    assert "journey-step" not in elsewhere
    assert "journey-step" not in plain


def test_the_programme_page_shows_the_founders_step_and_carries_next(client, programme):
    CityFactory(slug="berlin", country="DE")
    anonymous = client.get(programme.get_absolute_url()).content.decode()
    client.force_login(UserFactory())
    without_startup = client.get(programme.get_absolute_url()).content.decode()

    back = quote(f"{programme.get_absolute_url()}#apply-heading", safe="")
    assert f'href="/en/accounts/signup/?next={back}"' in anonymous
    assert f'href="/en/accounts/login/?next={back}"' in anonymous
    assert current_step(anonymous) == "1 Account"
    assert f'href="/en/startups/new/?next={back}"' in without_startup
    assert current_step(without_startup) == "2 Start-up"


def test_creating_a_startup_returns_to_the_programme(client, programme):
    CityFactory(slug="berlin", country="DE")
    client.force_login(UserFactory())
    back = f"{programme.get_absolute_url()}#apply-heading"

    form = client.get(f"/en/startups/new/?next={quote(back, safe='')}").content.decode()
    created = client.post(f"/en/startups/new/?next={quote(back, safe='')}", PROFILE)
    page = client.get(created["Location"]).content.decode()

    assert current_step(form) == "2 Start-up"
    assert created["Location"] == back
    assert "Start an application for <bdi>Orbit Robotics</bdi>" in page
    assert current_step(page) == "3 Application"
    assert all_steps(page) == ["✓ Account (done)", "✓ Start-up (done)", "3 Application"]


@pytest.mark.parametrize("url", FOREIGN)
def test_a_foreign_next_is_not_local(url):
    assert is_local(url) is False


@pytest.mark.parametrize("url", FOREIGN)
def test_signup_drops_a_foreign_next_from_the_email_and_the_answer(client, url):
    signed_up = sign_up(client, next_=url)

    assert signed_up["Location"] == "/en/accounts/confirm-email/"
    assert "next=" not in EmailMessage.objects.get().body_text


@pytest.mark.parametrize("url", FOREIGN)
def test_confirming_ignores_a_foreign_next(client, url):
    sign_up(client)
    link = verification_link(EmailMessage.objects.get())

    confirmed = client.post(link, {"next": url})

    assert confirmed["Location"] == "/en/accounts/login/"


@pytest.mark.parametrize("url", FOREIGN)
def test_login_ignores_a_foreign_next(client, url):
    UserFactory(email="ada@orbit.example", password=PASSWORD)

    response = client.post(
        f"/en/accounts/login/?next={quote(url, safe='')}",
        {"login": "ada@orbit.example", "password": PASSWORD, "next": url},
    )

    assert response["Location"] == "/en/"


@pytest.mark.parametrize("url", FOREIGN)
def test_creating_a_startup_ignores_a_foreign_next(client, url):
    CityFactory(slug="berlin", country="DE")
    client.force_login(UserFactory())

    created = client.post(f"/en/startups/new/?next={quote(url, safe='')}", PROFILE)

    assert created["Location"] == f"/en/startups/{Startup.objects.get().slug}/"
