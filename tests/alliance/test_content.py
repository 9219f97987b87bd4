"""Translated content: one way of showing it, marked with the language it is really in."""

import re

import pytest
from django.template import Context, Template
from django.utils import translation

from alliance.i18n import language_attributes
from tests.factories import (
    ApplicationFactory,
    CityFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
)

pytestmark = pytest.mark.django_db

NOTE = "Only available in"  # the note's English wording; German pages say it in German


def render(source: str, language: str = "de", **context) -> str:
    with translation.override(language):
        return Template("{% load content %}" + source).render(Context(context))


def test_content_in_the_page_language_has_no_lang_mark():
    programme = ProgrammeFactory.build(title_en="Tel Aviv Exchange", title_de="Austausch Tel Aviv")

    assert render('{% content programme "title" %}', programme=programme) == "Austausch Tel Aviv"


def test_fallback_content_is_marked_and_noted_inline():
    programme = ProgrammeFactory.build(title_en="Tel Aviv Exchange", title_de="")

    html = render('{% content programme "title" %}', programme=programme)

    with translation.override("de"):
        note = translation.gettext("Only available in %(language)s") % {
            "language": translation.gettext("English")
        }
    assert html == (
        f'<span lang="en">Tel Aviv Exchange</span> <small class="content-note">({note})</small>'
    )


def test_a_block_says_its_note_once_where_it_is_placed():
    programme = ProgrammeFactory.build(title_de="", summary_de="", summary_en="Four weeks.")

    html = render(
        '{% contentblock %}<h2>{% content programme "title" %}</h2>{% contentnote %}'
        '<p>{% content programme "summary" %}</p>{% endcontentblock %}',
        "en",
        programme=programme,
    )
    assert "content-note" not in html  # English readers read the English text

    html = render(
        '{% contentblock %}<h2>{% content programme "title" %}</h2>{% contentnote %}'
        '<p>{% content programme "summary" %}</p>{% endcontentblock %}',
        programme=programme,
    )
    assert html.count('class="content-note"') == 1
    assert html.index("content-note") < html.index("Four weeks.")
    assert '<p><span lang="en">Four weeks.</span></p>' in html


def test_lines_become_a_marked_list():
    programme = ProgrammeFactory.build(benefits_en="Desk\n\nVisa support", benefits_de="")

    html = render('{% content programme "benefits" "ul" lines=True %}', programme=programme)

    assert html.startswith('<ul lang="en"><li>Desk</li><li>Visa support</li></ul>')


@pytest.fixture
def english_only():
    """A city, an organisation and a programme with no German text, and German ones."""
    city = CityFactory(
        slug="tel-aviv",
        name_en="Tel Aviv-Yafo",
        name_de="",
        description_en="A city by the sea.",
        description_de="",
        timezone="Asia/Jerusalem",
    )
    organisation = OrganisationFactory(
        city=city, description_en="The agency of the city.", description_de=""
    )
    programme = ProgrammeFactory(
        host_city=city,
        host_organisation=organisation,
        title_en="Sea Exchange",
        title_de="",
        summary_en="Ten days by the sea.",
        summary_de="",
        description_en="All about it.",
        description_de="",
    )
    german = ProgrammeFactory(title_en="Berlin Exchange", title_de="Berliner Austausch")
    return {"city": city, "organisation": organisation, "programme": programme, "german": german}


def english_values_are_marked(html: str, *values: str) -> None:
    for value in values:
        assert re.search(rf'lang="en"[^>]*>(<p>)?{re.escape(value)}', html), value
    assert 'class="content-note"' in html
    # A note never becomes part of a link's name.
    assert not re.search(r'<small class="content-note">[^<]*</small></a>', html)
    # The note is in German, the page's language (not marked as English).
    assert re.search(r'class="content-note">(<small>)?\(?Nur|class="content-note"', html)


@pytest.mark.parametrize(
    ("page", "values"),
    [
        ("/de/", ["Tel Aviv-Yafo"]),
        ("/de/cities/", ["Tel Aviv-Yafo"]),
        ("/de/cities/tel-aviv/", ["Tel Aviv-Yafo", "A city by the sea.", "Sea Exchange"]),
        ("/de/programmes/", ["Sea Exchange", "Ten days by the sea.", "Tel Aviv-Yafo"]),
    ],
)
def test_public_pages_mark_english_fallbacks(client, english_only, page, values):
    html = client.get(page).content.decode()

    english_values_are_marked(html, *values)


def test_organisation_page_marks_english_fallbacks(client, english_only):
    organisation = english_only["organisation"]

    html = client.get(f"/de{organisation.get_absolute_url()[3:]}").content.decode()

    english_values_are_marked(html, "The agency of the city.", "Tel Aviv-Yafo")


def test_programme_page_marks_english_fallbacks_once_per_block(client, english_only):
    programme = english_only["programme"]

    html = client.get(f"/de/programmes/{programme.slug}/").content.decode()

    english_values_are_marked(html, "Sea Exchange", "Ten days by the sea.", "All about it.")
    main = html.split("<main", 1)[1]
    # The heading with its lead, the description, the host: one note each.
    assert main.count('class="content-note"') == 3


def test_german_values_have_no_lang_mark(client, english_only):
    german = english_only["german"]

    html = client.get("/de/programmes/").content.decode()

    assert f'<a href="/de/programmes/{german.slug}/">Berliner Austausch</a>' in html
    html = client.get(f"/de/programmes/{german.slug}/").content.decode()
    assert "<h1>Berliner Austausch</h1>" in html


def test_application_pages_mark_english_fallbacks(client, english_only):
    membership = MembershipFactory(user__language="de")
    application = ApplicationFactory(
        programme=english_only["programme"], startup=membership.startup
    )
    client.force_login(membership.user)

    listing = client.get("/de/applications/").content.decode()
    detail = client.get(f"/de/applications/{application.pk}/").content.decode()
    startup = client.get(f"/de/startups/{membership.startup.slug}/").content.decode()

    for html in (listing, detail, startup):
        english_values_are_marked(html, "Sea Exchange")


def test_text_keeps_its_direction_in_a_page_of_the_other_direction():
    with translation.override("en"):
        assert language_attributes("ar") == ' lang="ar" dir="rtl"'
        assert language_attributes("de") == ' lang="de"'
    with translation.override("he"):
        assert language_attributes("en") == ' lang="en" dir="ltr"'
        assert language_attributes("ar") == ' lang="ar" dir="rtl"'
