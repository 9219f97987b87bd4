"""Issue 16 (6): the emails a founder gets, in each of the seven languages.

The sign-up's verification (through allauth's page), the receipt of a submitted
application and a decision go out in the recipient's language (User.language), whatever
language is active where the change happens: subject from the language's catalogue, body
free of the portal's English, the staff-editable EmailTemplate's wording where staff set
one for that language.
"""

from functools import cache
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils.translation import to_locale

from alliance.accounts.models import User
from alliance.mail.models import EmailMessage, EmailTemplate
from alliance.mail.templates import sync_defaults
from exchanges import services
from tests.alliance.test_languages import LANGUAGES, RTL, english_msgids
from tests.factories import CityFactory, MembershipFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-42"
TITLES = {
    "en": "Landing in Dubai",
    "de": "Ankommen in Dubai",
    "fr": "Atterrir à Dubaï",
    "pl": "Lądowanie w Dubaju",
    "he": "נחיתה בדובאי",
    "ar": "الهبوط في دبي",
    "zh-hans": "落地迪拜",
}


@cache
def catalogue(language: str) -> polib.POFile:
    path = Path(settings.BASE_DIR) / "locale" / to_locale(language) / "LC_MESSAGES/django.po"
    return polib.pofile(str(path))


def translated(language: str, msgid: str) -> str:
    """The catalogue's translation of `msgid` in `language` (the msgid itself in English)."""
    if language == settings.LANGUAGE_CODE:
        return msgid
    entry = catalogue(language).find(msgid)
    assert entry is not None, f"{msgid!r} is not in the {language} catalogue"
    assert entry.msgstr, f"{msgid!r} is not translated into {language}"
    assert not entry.fuzzy, f"{msgid!r} is fuzzy in {language}"
    return entry.msgstr


def words(text: str) -> str:
    """`text` with its whitespace collapsed, no-break spaces too (see the xfail below)."""
    return " ".join(text.split())


def english_in(language: str, text: str) -> list[str]:
    """The portal's English strings (3+ words) that `text` in `language` still shows."""
    flat = " ".join(text.split())
    return [msgid for msgid in english_msgids(language) if msgid in flat]


def check_language(message: EmailMessage, language: str) -> None:
    """The message is in `language`: its row, its HTML's lang and dir, no English left."""
    direction = "rtl" if language in RTL else "ltr"
    assert message.language == language
    assert f'<html lang="{language}" dir="{direction}">' in message.body_html
    assert english_in(language, f"{message.subject}\n{message.body_text}") == []


@pytest.fixture(autouse=True)
def ui_languages(settings):
    """Every language of the network on the site, whatever UI_LANGUAGES says."""
    settings.LANGUAGES = list(settings.NETWORK_LANGUAGES)


@pytest.fixture
def programme():
    dubai = CityFactory(
        slug="dubai", country="AE", name_en="Dubai", name_ar="دبي", name_zh_hans="迪拜"
    )
    titles = {f"title_{code.replace('-', '_')}": title for code, title in TITLES.items()}
    return ProgrammeFactory(host_city=dubai, slug="landing", **titles)


@pytest.fixture
def templates():
    """The staff-editable templates, filled from the files in every language."""
    sync_defaults()


def staff_user() -> User:
    """A staff member allowed to decide every programme's applications, working in English."""
    user = UserFactory(is_staff=True, language="en", email="staff@berlin-partner.example")
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="exchanges",
            codename__in=["view_application", "change_application", "decide_application"],
        ),
        Permission.objects.get(codename="see_every_programme"),
    )
    return user


def submitted(programme, language: str):
    """A founder reading `language` submits an application of Orbit Labs (English active)."""
    membership = MembershipFactory(
        user__email=f"founder-{language}@example.com",
        user__language=language,
        startup__name="Orbit Labs",
    )
    application = services.start_application(
        programme, startup=membership.startup, by=membership.user
    )
    application.motivation, application.goals = "Enter the Gulf market.", "Five pilots."
    application.save()
    with transaction.atomic():
        services.submit_application(application, by=membership.user, consent=True)
    return application


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sign_up_verification_is_in_the_language_signed_up_in(client, language):
    with transaction.atomic():
        response = client.post(
            f"/{language}/accounts/signup/",
            {
                "name": "Ada",
                "email": "ada@example.com",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    assert response.status_code == 302

    message = EmailMessage.objects.get(template_key="account/email/email_confirmation_signup")

    assert User.objects.get(email="ada@example.com").language == language
    site_name = translated(language, "Start Alliance Berlin")
    subject = translated(language, "Confirm your email address for %(site_name)s")
    assert words(message.subject) == words(subject % {"site_name": site_name})
    assert f"/{language}/accounts/confirm-email/" in message.body_text
    check_language(message, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_receipt_is_in_the_founders_language(programme, templates, language):
    submitted(programme, language)

    message = EmailMessage.objects.get(template_key="exchanges/email/application_submitted")

    subject = translated(language, "Application received: %(startup)s for %(programme)s")
    expected = subject % {"startup": "Orbit Labs", "programme": TITLES[language]}
    assert words(message.subject) == words(expected)
    assert "Orbit Labs" in message.body_text
    assert f"/{language}/applications/" in message.body_text
    check_language(message, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_decision_is_in_the_founders_language(programme, templates, language):
    application = submitted(programme, language)
    with transaction.atomic():
        services.reject_application(application, by=staff_user())

    message = EmailMessage.objects.get(template_key="exchanges/email/application_rejected")

    subject = translated(language, "Your application to %(programme)s")
    assert words(message.subject) == words(subject % {"programme": TITLES[language]})
    assert "Orbit Labs" in message.body_text
    check_language(message, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_wording_for_the_language_is_used(programme, templates, language):
    template = EmailTemplate.objects.get(key="exchanges/email/application_submitted")
    column = language.replace("-", "_")
    setattr(template, f"subject_{column}", f"[{language}] {{{{ startup }}}} · {{{{ programme }}}}")
    setattr(template, f"body_{column}", f"[{language}] {{{{ application_url }}}}")
    template.customised = True
    template.save()
    other = "de" if language != "de" else "fr"

    submitted(programme, language)
    submitted(programme, other)

    mine, theirs = (
        EmailMessage.objects.get(
            template_key="exchanges/email/application_submitted", language=code
        )
        for code in (language, other)
    )
    assert mine.subject == f"[{language}] Orbit Labs · {TITLES[language]}"
    assert mine.body_text.startswith(f"[{language}] http")
    assert f"/{language}/applications/" in mine.body_text
    # Another language keeps its own default wording.
    subject = translated(other, "Application received: %(startup)s for %(programme)s")
    expected = subject % {"startup": "Orbit Labs", "programme": TITLES[other]}
    assert words(theirs.subject) == words(expected)


def test_a_french_subject_keeps_its_no_break_space(programme, templates):
    submitted(programme, "fr")

    message = EmailMessage.objects.get(template_key="exchanges/email/application_submitted")

    assert "re\u00e7ue\u00a0:" in message.subject
