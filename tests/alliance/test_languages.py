"""Issue 16: every public and founder page in each of the seven UI languages.

Each page is rendered for real in every language of settings.LANGUAGES and checked for
the page's `lang` and `dir`, for a language switcher that names each language in itself
and links the same page in it, and for leftover English: no msgid of the portal's own
catalogue for that language (three words or more, translated differently) may appear in
the text a person reads, except inside elements marked `lang="en"` (content shown in
English because the chosen language's text is missing).
"""

import re
from functools import cache
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.urls import translate_url
from django.utils.translation import get_language_info, to_locale

from tests.factories import (
    ApplicationFactory,
    CityFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
)

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-42"
# The network's seven languages. UI_LANGUAGES switches the ones whose catalogues are not
# complete yet off the site (settings.LANGUAGES); these tests render every one of them,
# switched on by the `ui_languages` fixture, and test_the_seven_languages_are_the_ui_languages
# says whether all are on.
LANGUAGES = [code for code, _name in settings.NETWORK_LANGUAGES]
RTL = {"he", "ar"}
LOCALE = Path(settings.BASE_DIR) / "locale"
# Elements whose content nobody reads, and elements that have no end tag.
UNREAD = {"script", "style", "template"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
VOID |= {"track", "wbr"}
# Attributes a browser shows or reads out besides the elements' content.
SHOWN = {"placeholder", "title", "aria-label", "alt"}
# A placeholder of a msgid (%(name)s, %s, %d, {name}) or markup in it: text is split there.
NOT_LITERAL = re.compile(r"%\([^)]+\)[sdfr]|%[sdfr]|\{[^}]*\}|<[^>]+>|%%")


def test_the_seven_languages_are_the_ui_languages():
    assert LANGUAGES == ["en", "de", "fr", "pl", "he", "ar", "zh-hans"]
    assert [code for code, _name in settings.LANGUAGES] == LANGUAGES


@pytest.fixture
def ui_languages(settings):
    """Every language of the network on the site, whatever UI_LANGUAGES says."""
    settings.LANGUAGES = list(settings.NETWORK_LANGUAGES)


class ReaderText(HTMLParser):
    """The text a person reads of a page, without elements marked as English content."""

    def __init__(self, skip_english: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.skip_english = skip_english
        self.stack: list[tuple[str, bool]] = []  # open elements, and whether each is skipped
        self.parts: list[str] = []

    @property
    def skipping(self) -> bool:
        return any(skipped for _tag, skipped in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        english = self.skip_english and attributes.get("lang") == "en"
        skipped = tag in UNREAD or english
        if not (self.skipping or skipped):
            self.parts.extend(value or "" for name, value in attrs if name in SHOWN)
        if tag not in VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.skipping:
            self.parts.extend(value or "" for name, value in attrs if name in SHOWN)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):  # close up to the matching tag
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def reader_text(html: str, *, skip_english: bool = True) -> str:
    """What a person reads or hears of `html`, whitespace collapsed, entities unescaped."""
    parser = ReaderText(skip_english)
    parser.feed(html)
    parser.close()
    return " ".join(unescape(" ".join(parser.parts)).split())


def literal_pieces(msgid: str) -> list[str]:
    """The pieces of `msgid` a page shows as they are: between placeholders and markup."""
    return [" ".join(piece.split()) for piece in NOT_LITERAL.split(msgid)]


@cache
def english_msgids(language: str) -> tuple[str, ...]:
    """The portal's own English strings that `language` must not show: every piece of three
    words or more of a msgid whose translation differs from it (untranslated ones too)."""
    path = LOCALE / to_locale(language) / "LC_MESSAGES" / "django.po"
    if language == settings.LANGUAGE_CODE:
        return ()
    catalogue = polib.pofile(str(path))
    found = set()
    for entry in catalogue:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            forms = [entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural)]
            pairs = [(entry.msgid, forms[0]), (entry.msgid_plural, forms[-1])]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for msgid, msgstr in pairs:
            if msgstr == msgid:
                continue  # the same in both languages ("Start Alliance Berlin")
            found.update(piece for piece in literal_pieces(msgid) if len(piece.split()) >= 3)
    return tuple(sorted(found))


def leftover_english(language: str, html: str) -> list[str]:
    """The portal's English strings that a page in `language` shows."""
    text = reader_text(html)
    return [msgid for msgid in english_msgids(language) if msgid in text]


def test_the_scan_finds_english_but_not_english_fallback_content():
    html = (
        '<html lang="de"><body><h1>Austausch</h1>'
        "<p>Save it as often as you like; nothing is sent before you submit.</p>"
        '<p lang="en">Only the motivation is missing.<br>Skip to main content</p>'
        '<input placeholder="Sign up for the newsletter">'
        "<script>var a = 'Skip to main content';</script></body></html>"
    )

    text = reader_text(html)

    assert "Save it as often as you like" in text
    assert "Sign up for the newsletter" in text
    assert "Skip to main content" not in text
    assert "Skip to main content" in reader_text(html, skip_english=False)
    assert "Skip to main content" in english_msgids("de")
    assert ". Save it as often as you like; nothing is sent before you submit." in literal_pieces(
        "Draft of %(startup)s. Save it as often as you like; nothing is sent before you submit."
    )


def test_the_german_catalogue_gives_hundreds_of_strings_to_look_for():
    assert len(english_msgids("de")) > 500


class Switcher(HTMLParser):
    """The language switcher's entries: (code, name, link or None for the current one)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.entries: list[list] = []
        self.entry: list | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "nav" and "language-switcher" in (attributes.get("class") or "").split():
            self.inside = True
        elif self.inside and tag in {"a", "span"} and "lang" in attributes:
            self.entry = [attributes["lang"], "", attributes.get("href")]

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self.inside = False
        elif self.entry is not None and tag in {"a", "span"}:
            self.entries.append((self.entry[0], self.entry[1].strip(), self.entry[2]))
            self.entry = None

    def handle_data(self, data: str) -> None:
        if self.entry is not None:
            self.entry[1] += data


def switcher(html: str) -> list[tuple[str, str, str | None]]:
    parser = Switcher()
    parser.feed(html)
    return parser.entries


def own_name(code: str) -> str:
    """What the switcher calls a language: its own name, starting with a capital."""
    name = str(get_language_info(code)["name_local"])
    return name[:1].upper() + name[1:]


def check_page(response, language: str, path: str) -> dict[str, list[str]]:
    """The page's problems: its `lang` and `dir`, its switcher, its leftover English."""
    html = response.content.decode()
    found = []
    direction = "rtl" if language in RTL else "ltr"
    if f'<html lang="{language}" dir="{direction}">' not in html:
        found.append("html: " + (re.search(r"<html[^>]*>", html) or ["no <html>"])[0])
    expected = [
        (code, own_name(code), None if code == language else translate_url(path, code))
        for code in LANGUAGES
    ]
    if (entries := switcher(html)) != expected:
        found.append(f"switcher: {entries}, expected {expected}")
    found += [f"English: {msgid!r}" for msgid in leftover_english(language, html)]
    return {path: found} if found else {}


def report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{page}:\n  " + "\n  ".join(items) for page, items in found.items())


@pytest.fixture
def world(ui_languages):
    """A city with its organisation and an open programme, named in every language."""
    city = CityFactory(
        slug="tel-aviv",
        country="IL",
        timezone="Asia/Jerusalem",
        name_en="Tel Aviv",
        name_de="Tel Aviv",
        name_fr="Tel Aviv",
        name_pl="Tel Awiw",
        name_he="תל אביב",
        name_ar="تل أبيب",
        name_zh_hans="特拉维夫",
    )
    OrganisationFactory(city=city, name="Tel Aviv Global", slug="tel-aviv-global")
    return ProgrammeFactory(
        host_city=city,
        slug="landing",
        title_en="Landing in Tel Aviv",
        title_de="Ankommen in Tel Aviv",
        title_fr="Atterrir à Tel Aviv",
        title_pl="Lądowanie w Tel Awiwie",
        title_he="נחיתה בתל אביב",
        title_ar="الهبوط في تل أبيب",
        title_zh_hans="落地特拉维夫",
    )


def public_pages(language: str) -> list[tuple[str, int]]:
    prefix = f"/{language}"
    return [
        (f"{prefix}/", 200),
        (f"{prefix}/cities/", 200),
        (f"{prefix}/cities/tel-aviv/", 200),
        (f"{prefix}/organisations/tel-aviv-global/", 200),
        (f"{prefix}/programmes/", 200),
        (f"{prefix}/programmes/landing/", 200),
        (f"{prefix}/accounts/login/", 200),
        (f"{prefix}/accounts/signup/", 200),
        (f"{prefix}/accounts/password/reset/", 200),
        (f"{prefix}/privacy/", 200),
        (f"{prefix}/imprint/", 200),
        (f"{prefix}/no-such-page/", 404),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_speak_the_language(client, world, language):
    found = {}
    for path, status in public_pages(language):
        response = client.get(path)
        assert response.status_code == status, (path, response.status_code)
        if status == 404:  # an unknown page: the switcher leads to each language's home
            html = response.content.decode()
            direction = "rtl" if language in RTL else "ltr"
            assert f'<html lang="{language}" dir="{direction}">' in html
            homes = [
                (code, own_name(code), None if code == language else f"/{code}/")
                for code in LANGUAGES
            ]
            assert switcher(html) == homes
            if english := leftover_english(language, html):
                found[path] = [f"English: {msgid!r}" for msgid in english]
            continue
        found |= check_page(response, language, path)

    assert found == {}, report(found)


@pytest.fixture
def founder(world):
    """A founder with a start-up and a draft application to the programme."""

    def log_in(client, language: str):
        membership = MembershipFactory(
            user__email=f"founder-{language}@example.com",
            user__password=PASSWORD,
            user__language=language,
            startup__name="Orbit Labs",
            startup__slug="orbit-labs",
            startup__city=world.host_city,
        )
        EmailAddress.objects.create(
            user=membership.user, email=membership.user.email, verified=True, primary=True
        )
        application = ApplicationFactory(
            programme=world, startup=membership.startup, created_by=membership.user
        )
        with transaction.atomic():
            response = client.post(
                f"/{language}/accounts/login/",
                {"login": membership.user.email, "password": PASSWORD},
            )
        assert response.status_code == 302, response.content.decode()[:500]
        return application

    return log_in


@pytest.mark.parametrize("language", LANGUAGES)
def test_founder_pages_speak_the_language(client, founder, language):
    application = founder(client, language)
    prefix, pk = f"/{language}", application.pk
    pages = [
        f"{prefix}/accounts/profile/",
        f"{prefix}/startups/new/",
        f"{prefix}/startups/orbit-labs/",
        f"{prefix}/applications/{pk}/edit/",
        f"{prefix}/applications/{pk}/review/",
        f"{prefix}/applications/{pk}/",
        f"{prefix}/applications/",
        f"{prefix}/programmes/landing/",
    ]

    found = {}
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        found |= check_page(response, language, path)

    assert found == {}, report(found)


def test_a_start_ups_stage_is_a_noun_not_the_boards_verb(client, founder):
    # "Stage" is both a start-up's stage and the decision board's button ("Oznacz
    # wstępnie", mark provisionally): each has its own context in the catalogues.
    founder(client, "pl")

    html = client.get("/pl/startups/orbit-labs/").content.decode()

    assert "<dt>Etap</dt>" in html
    assert "Oznacz" not in html


def test_the_switcher_names_languages_in_themselves_and_keeps_the_page(client, world):
    html = client.get("/fr/cities/tel-aviv/").content.decode()

    entries = switcher(html)

    names = [name for _code, name, _link in entries]
    assert "Deutsch" in names
    assert "Français" in names
    assert "Polski" in names
    assert "English" in names
    assert ("fr", "Français", None) in entries  # the current one: no link
    assert ("de", "Deutsch", "/de/cities/tel-aviv/") in entries
    assert ("zh-hans", own_name("zh-hans"), "/zh-hans/cities/tel-aviv/") in entries
    assert ("ar", own_name("ar"), "/ar/cities/tel-aviv/") in entries
    assert len(entries) == 7
