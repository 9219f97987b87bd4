"""Issue 16 (3): text of the other direction is isolated, never garbled.

A Latin start-up name inside an Arabic page, an Arabic city name inside an English page,
English fallback content inside an Arabic page: each stands inside `<bdi>`, an element
with `dir="auto"`, or an element with its own `lang` and `dir`, so the bidirectional
algorithm cannot pull the page's neutral characters (" · ", ":", numbers) into it.
"""

import re
from html.parser import HTMLParser

import pytest
from allauth.account.models import EmailAddress
from django.db import transaction

from tests.factories import (
    ApplicationFactory,
    CityFactory,
    MembershipFactory,
    ProgrammeFactory,
    StartupFactory,
)

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-42"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
VOID |= {"track", "wbr"}


@pytest.fixture(autouse=True)
def ui_languages(settings):
    """Every language of the network on the site, whatever UI_LANGUAGES says."""
    settings.LANGUAGES = list(settings.NETWORK_LANGUAGES)


class Occurrences(HTMLParser):
    """Each text of the page's body containing `value`, with whether it is isolated."""

    def __init__(self, value: str) -> None:
        super().__init__(convert_charrefs=True)
        self.value = value
        self.stack: list[tuple[str, dict]] = []
        self.found: list[tuple[bool, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data: str) -> None:
        tags = [tag for tag, _attributes in self.stack]
        if self.value not in data or "body" not in tags or {"script", "style"} & set(tags):
            return
        parent = self.stack[-1]  # the innermost element holds the value: no wider one counts
        tag, attributes = parent
        isolated = (
            tag == "bdi"
            or attributes.get("dir") == "auto"
            or ("lang" in attributes and attributes.get("dir") in {"ltr", "rtl"})
        )
        self.found.append((isolated, f"<{tag} {attributes}>{' '.join(data.split())}"))


def occurrences(html: str, value: str) -> list[tuple[bool, str]]:
    parser = Occurrences(value)
    parser.feed(html)
    return parser.found


def not_isolated(html: str, value: str) -> list[str]:
    return [where for isolated, where in occurrences(html, value) if not isolated]


def test_the_check_tells_isolated_from_bare_text():
    html = (
        "<html><head><title>Orbit Labs</title></head><body>"
        "<h1><bdi>Orbit Labs</bdi></h1><p dir='auto'>Orbit Labs</p>"
        '<span lang="ar" dir="rtl">Orbit Labs</span>'
        "<p><bdi>x</bdi> Orbit Labs · 3</p><p lang='en'>Orbit Labs</p></body></html>"
    )

    assert [isolated for isolated, _where in occurrences(html, "Orbit Labs")] == [
        True,
        True,
        True,
        False,
        False,
    ]


@pytest.fixture
def arabic_founder(client):
    """A founder reading Arabic, with the start-up "Orbit Labs" and an application."""
    dubai = CityFactory(slug="dubai", country="AE", name_en="Dubai", name_ar="دبي")
    programme = ProgrammeFactory(
        host_city=dubai, slug="landing", title_en="Landing in Dubai", title_ar="الهبوط في دبي"
    )
    membership = MembershipFactory(
        user__email="founder@example.com",
        user__password=PASSWORD,
        user__language="ar",
        startup__name="Orbit Labs",
        startup__slug="orbit-labs",
        startup__city=dubai,
    )
    EmailAddress.objects.create(
        user=membership.user, email=membership.user.email, verified=True, primary=True
    )
    # A second start-up: the programme's page lists each with the founder's options.
    MembershipFactory(user=membership.user, startup=StartupFactory(name="Nimbus 2.0"))
    application = ApplicationFactory(
        programme=programme, startup=membership.startup, created_by=membership.user
    )
    with transaction.atomic():
        response = client.post(
            "/ar/accounts/login/", {"login": "founder@example.com", "password": PASSWORD}
        )
    assert response.status_code == 302
    return application


@pytest.mark.parametrize(
    "path",
    [
        "/ar/startups/",
        "/ar/startups/orbit-labs/",
        "/ar/startups/orbit-labs/leave/",
        "/ar/applications/",
        "/ar/applications/{pk}/",
        "/ar/programmes/landing/",
    ],
)
def test_a_latin_start_up_name_is_isolated_on_arabic_pages(client, arabic_founder, path):
    html = client.get(path.format(pk=arabic_founder.pk)).content.decode()

    assert '<html lang="ar" dir="rtl">' in html
    # The name's own elements (headings, list entries, facts), not the sentences around it.
    shown = [where for isolated, where in occurrences(html, "Orbit Labs") if isolated]
    assert shown, html
    assert all(where.startswith("<bdi ") for where in shown)


@pytest.mark.parametrize(
    "path",
    [
        "/ar/applications/{pk}/",  # "Application of Orbit Labs"
        "/ar/applications/{pk}/edit/",  # "Draft of Orbit Labs. Save it as often…"
        "/ar/startups/orbit-labs/leave/",  # "Leave the team of Orbit Labs?"
    ],
)
def test_a_latin_start_up_name_inside_an_arabic_sentence_is_isolated(client, arabic_founder, path):
    html = client.get(path.format(pk=arabic_founder.pk)).content.decode()

    assert not_isolated(html, "Orbit Labs") == []


def test_an_arabic_city_name_is_isolated_on_an_english_page(client):
    CityFactory(slug="dubai", country="AE", name_en="Dubai", name_ar="دبي")

    html = client.get("/en/cities/dubai/").content.decode()

    assert '<html lang="en" dir="ltr">' in html
    assert '<span lang="ar" dir="rtl">دبي</span>' in html
    assert not_isolated(html, "دبي") == []


def test_english_fallback_content_keeps_its_direction_on_an_arabic_page(client):
    city = CityFactory(slug="berlin", country="DE", name_en="Berlin", name_ar="برلين")
    ProgrammeFactory(host_city=city, slug="only-english", title_en="Only in English")

    html = client.get("/ar/programmes/only-english/").content.decode()

    assert '<html lang="ar" dir="rtl">' in html
    shown = occurrences(html, "Only in English")
    assert shown
    assert not_isolated(html, "Only in English") == []
    assert '<span lang="en" dir="ltr">Only in English</span>' in html


def test_hebrew_content_keeps_its_language_and_direction_on_a_german_page(client):
    CityFactory(slug="tel-aviv", country="IL", name_en="Tel Aviv", name_he="תל אביב")

    html = client.get("/de/cities/tel-aviv/").content.decode()

    assert '<span lang="he" dir="rtl">תל אביב</span>' in html


@pytest.mark.parametrize("path", ["/ar/applications/{pk}/", "/ar/startups/orbit-labs/"])
def test_what_the_founder_typed_keeps_its_own_direction_on_an_arabic_page(
    client, arabic_founder, path
):
    # German typed into an Arabic page: without dir="auto" the full stop would move to
    # the paragraph's right end, ".Wir möchten israelische Banken treffen".
    arabic_founder.motivation = "Wir möchten israelische Banken treffen."
    arabic_founder.goals = "Drei Pilotkunden bis Juni."
    arabic_founder.save(update_fields=["motivation", "goals"])
    startup = arabic_founder.startup
    startup.pitch = "Zahlungen für Händler, in Echtzeit."
    startup.save(update_fields=["pitch"])

    html = client.get(path.format(pk=arabic_founder.pk)).content.decode()

    typed = ["Zahlungen für Händler"]
    if "applications" in path:
        typed += ["Wir möchten israelische Banken treffen", "Drei Pilotkunden bis Juni"]
    for text in typed:
        assert occurrences(html, text), text
        assert not_isolated(html, text) == []


def test_what_the_founder_types_runs_in_its_own_direction_while_typing(client, arabic_founder):
    html = client.get(f"/ar/applications/{arabic_founder.pk}/edit/").content.decode()
    profile = client.get("/ar/startups/orbit-labs/edit/").content.decode()

    for name in ("motivation", "goals"):
        (field,) = re.findall(rf"<textarea[^>]*name=\"{name}\"[^>]*>", html)
        assert 'dir="auto"' in field
    (pitch,) = re.findall(r"<textarea[^>]*name=\"pitch\"[^>]*>", profile)
    assert 'dir="auto"' in pitch
