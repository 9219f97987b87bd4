"""Issue 15 (2): one voice in German. Every German page and email a founder meets says
"Sie" and is German: none of the "du" of allauth's catalogue (or of Django REST
framework's, which Django's validators share), none of Django's English leftovers.

The pages are rendered for real (logged out, logged in, with invalid input), their text
is read as a person meets it (tags stripped, plus the attributes a browser shows or reads
out) and scanned for familiar forms and known English strings. The libraries' catalogues
are checked as a whole too, for the strings no page here reaches.
"""

import gettext
import re
from html import unescape
from pathlib import Path

import allauth
import django
import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.utils import translation

from alliance import i18n_overrides
from alliance.mail.models import EmailMessage
from tests.factories import (
    ApplicationFactory,
    CityFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-42"

# "du" in all its forms, and verbs only "du" takes (allauth's German: "Du hast bereits ein
# Konto", "Bestätige deine E-Mail-Adresse", "Bitte versuche es später erneut").
FAMILIAR = re.compile(
    r"\b(?:[Dd]u|[Dd]ich|[Dd]ir|[Dd]ein|[Dd]eine[mnrs]?|"
    r"hast|bist|kannst|musst|möchtest|willst|solltest|erhältst|sendest|siehst|"
    r"[Gg]ib|[Bb]estätige|[Gg]ehe|[Kk]licke?|[Ww]ähle|[Ll]ass|[Kk]ontaktiere|[Ee]rstelle|"
    r"[Ff]olge dem|[Vv]erwende|[Bb]enutze|[Nn]utze|[Mm]elde dich|[Ll]ade|[Pp]rüfe|"
    r"[Üü]berprüfe|[Ff]üge|[Gg]ebe|[Vv]ersuche es)\b"
)
# English a German page must not show: Django's and allauth's untranslated strings.
ENGLISH = (
    "Select an option",
    "This field is required",
    "Enter a valid",
    "Ensure this value",
    "Sign In",
    "Sign Up",
    "Sign Out",
    "Sign in",
    "Sign up",
    "Log in",
    "Log out",
    "Forgot",
    "Password",
    "Remember Me",
    "Email address",
    "email address",
    "Currently",
)
# Words of English sentences; none of them is German.
ENGLISH_WORDS = re.compile(r"\b(?:the|The|and|you|You|your|Your|please|Please|with|this)\b")
# Text a browser shows or reads out besides the elements' content.
SHOWN_ATTRIBUTES = re.compile(
    r"""\b(?:placeholder|title|aria-label|alt|data-counter-left|data-counter-over)="([^"]*)\""""
)
# German strings of the libraries that say "du" in features the portal does not use:
# allauth's OpenID provider (allauth.idp) and social accounts (allauth.socialaccount) are
# not installed, logins are by email (no usernames) and nobody has a phone number.
NOT_FOR_FOUNDERS = (  # the msgids, or their beginnings
    "%(client_name)s wants to access your %(site_name)s account.",
    "A list of allowed grant types.",
    "A list of allowed response types.",
    "An account already exists with this email address. Please sign in to that account",
    "Authorization for your %(client_name)s device has been denied.",
    "Enter the code displayed on your device.",
    "In case the client does not specify any scope, these default scopes are used.",
    "Please confirm the code shown on your %(client_name)s to authorize this device.",
    "Please select only one.",
    "The scope(s) the client is allowed to request.",
    "Username can not be used. Please use other username.",
    "View your basic profile information",
    "View your email address",
    "View your user ID",
    "You are about to connect a new third-party account from %(provider)s.",
    "You are about to sign in using a third-party account from %(provider)s.",
    "You are about to use your %(provider_name)s account to login to",
    "You decided to cancel logging in to our site using one of your existing accounts.",
    "You successfully authorized your %(client_name)s device.",
    "Your account has no password set up.",
    "Your account has no verified email address.",
    "Your phone number is still pending verification.",
)


def reader_text(html: str) -> str:
    """What a person reads or hears of `html`: its text and the attributes that are shown."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    shown = " ".join(SHOWN_ATTRIBUTES.findall(html))
    text = re.sub(r"<[^>]+>", " ", html)
    return " ".join(unescape(f"{text} {shown}").split())


def problems(text: str) -> list[str]:
    """Every familiar form and English leftover in `text`, each with its surroundings."""
    found = [
        text[max(0, match.start() - 30) : match.end() + 30]
        for pattern in (FAMILIAR, ENGLISH_WORDS)
        for match in pattern.finditer(text)
    ]
    for english in ENGLISH:
        start = text.find(english)
        if start >= 0:
            found.append(text[max(0, start - 30) : start + len(english) + 30])
    return found


def report(found: dict[str, list[str]]) -> str:
    """Each page's or email's problems on lines of their own, to read in a failure."""
    return "\n".join(f"{where}:\n  " + "\n  ".join(texts) for where, texts in found.items())


def scan(client, pages: list[tuple]) -> dict[str, list[str]]:
    """The problems of each page (method, URL, data), by the page its redirects ended at."""
    found = {}
    for method, url, *data in pages:
        with transaction.atomic():
            response = getattr(client, method)(url, *data, follow=True)
        assert response.status_code == 200, (method, url, response.status_code)
        end = response.redirect_chain[-1][0] if response.redirect_chain else url
        if text_problems := problems(reader_text(response.content.decode())):
            found[f"{method.upper()} {url} -> {end}"] = text_problems
    return found


def email_problems() -> dict[str, list[str]]:
    """The problems of every email in the outbox, which must all be German."""
    found = {}
    for message in EmailMessage.objects.all():
        assert message.language == "de", message.template_key
        text = f"{message.subject} {message.body_text} {reader_text(message.body_html)}"
        if text_problems := problems(" ".join(text.split())):
            found[message.template_key] = text_problems
    return found


def test_the_scan_finds_du_and_english_and_passes_sie():
    familiar = [
        "Du hast bereits ein Konto bei uns?",
        "Bestätige deine E-Mail-Adresse",
        "Gib eine gültige URL ein.",
        "Bitte versuche es später erneut.",
        "Wir haben dir eine E-Mail geschickt.",
    ]
    english = ["- Select an option -", "This field is required.", "Remember Me"]
    formal = (
        "Sie haben bereits ein Konto? Bestätigen Sie Ihre E-Mail-Adresse. Geben Sie eine "
        "gültige URL ein. Bitte versuchen Sie es später erneut. Dieses Feld ist zwingend "
        "erforderlich. Angemeldet bleiben. Die Versuche der letzten Stunde. English Deutsch"
    )

    assert [text for text in familiar + english if not problems(text)] == []
    assert problems(formal) == []


@pytest.fixture
def world():
    """A German-speaking founder's world: a city, its organisation, an open programme."""
    city = CityFactory(name_en="Tel Aviv", name_de="Tel Aviv", slug="tel-aviv")
    OrganisationFactory(city=city, name="Tel Aviv Global", slug="tel-aviv-global")
    return ProgrammeFactory(
        host_city=city,
        slug="landing",
        title_en="Landing in Tel Aviv",
        title_de="Ankommen in Tel Aviv",
        summary_de="Vier Wochen Co-Working in Tel Aviv.",
    )


@pytest.fixture
def german_client(client):
    """A browser that asks for German, as a German-speaking founder's does."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    return client


def test_logged_out_pages_say_sie_and_are_german(german_client, world, settings):
    settings.PROGRAMME_PAGE_SIZE = 1  # pages, with their links to the next and previous
    ProgrammeFactory(host_city=world.host_city, slug="second", title_de="Zweites Programm")
    UserFactory(email="founder@example.com", password=PASSWORD, language="de")
    wrong_login = {"login": "founder@example.com", "password": "not-the-password"}
    mismatch = {"name": "Ada", "email": "ada@example.com", "password1": PASSWORD}

    found = scan(
        german_client,
        [
            ("get", "/de/"),
            ("get", "/de/cities/"),
            ("get", "/de/cities/tel-aviv/"),
            ("get", "/de/organisations/tel-aviv-global/"),
            ("get", "/de/programmes/"),
            ("get", "/de/programmes/?page=2"),
            ("get", "/de/programmes/?city=nowhere&sector=nothing&open=on"),
            ("get", "/de/programmes/landing/"),
            ("get", "/de/accounts/login/"),
            ("post", "/de/accounts/login/", wrong_login),
            ("post", "/de/accounts/login/", {}),
            ("get", "/de/accounts/signup/"),
            ("post", "/de/accounts/signup/", {"email": "not-an-address", "password1": "a"}),
            ("post", "/de/accounts/signup/", {**mismatch, "password2": "something-else"}),
            ("get", "/de/accounts/password/reset/"),
            ("post", "/de/accounts/password/reset/", {"email": ""}),
            ("post", "/de/accounts/password/reset/", {"email": "not-an-address"}),
            ("post", "/de/accounts/password/reset/", {"email": "nobody@example.com"}),
            ("get", "/de/accounts/password/reset/done/"),
            ("get", "/de/accounts/password/reset/key/1-not-a-key/"),
            ("get", "/de/accounts/confirm-email/"),
            ("get", "/de/accounts/confirm-email/not-a-key/"),
            ("get", "/de/privacy/"),
            ("get", "/de/imprint/"),
        ],
    )

    assert found == {}, report(found)


def test_the_pages_the_account_emails_link_say_sie(german_client, world):
    signup = {"name": "Ada", "email": "ada@example.com", "password1": PASSWORD}
    UserFactory(email="founder@example.com", password=PASSWORD, language="de")
    with transaction.atomic():
        german_client.post("/de/accounts/signup/", {**signup, "password2": PASSWORD})
        german_client.post("/de/accounts/password/reset/", {"email": "founder@example.com"})
    links = {
        message.template_key.rsplit("/", 1)[-1]: re.search(
            r"https?://[^/\s]+(/\S+)", message.body_text
        ).group(1)
        for message in EmailMessage.objects.all()
    }
    confirm = links["email_confirmation_signup"]
    set_password = german_client.get(links["password_reset_key"])["Location"]

    found = scan(
        german_client,
        [
            ("get", confirm),
            ("post", confirm),  # confirms, then the login page with its message
            ("get", set_password),
            ("post", set_password, {"password1": PASSWORD, "password2": "something-else"}),
            ("post", set_password, {"password1": "short", "password2": "short"}),
        ],
    )

    assert found == {}, report(found)


@pytest.fixture
def founder(german_client, world):
    """A German-speaking founder with a start-up and a draft, logged in by the login form."""
    membership = MembershipFactory(
        user__email="founder@example.com",
        user__password=PASSWORD,
        user__language="de",
        startup__pitch="Wir machen Zahlungen zwischen Start-up-Städten einfach.",
    )
    EmailAddress.objects.create(
        user=membership.user, email="founder@example.com", verified=True, primary=True
    )
    application = ApplicationFactory(
        programme=world,
        startup=membership.startup,
        created_by=membership.user,
        motivation="Wir wollen den israelischen Markt kennenlernen.",
        goals="Fünf Pilotkunden.",
    )
    with transaction.atomic():
        response = german_client.post(
            "/de/accounts/login/", {"login": "founder@example.com", "password": PASSWORD}
        )
    assert response.status_code == 302
    return application


def test_logged_in_pages_say_sie_and_are_german(german_client, founder):
    startup, draft = founder.startup.slug, founder.pk
    invalid_startup = {"name": "", "website": "not a url", "team_size": "many", "country": "XX"}
    too_long = {"motivation": "x" * 5000, "goals": ""}
    invalid_profile = {"name": "", "language": "xx", "time_zone": "Mars/Olympus"}

    found = scan(
        german_client,
        [
            ("get", "/de/"),
            ("get", "/de/programmes/landing/"),
            ("get", "/de/accounts/profile/"),
            ("post", "/de/accounts/profile/", invalid_profile),
            ("get", "/de/startups/"),
            ("get", "/de/startups/new/"),
            ("post", "/de/startups/new/", invalid_startup),
            ("get", f"/de/startups/{startup}/"),
            ("get", f"/de/startups/{startup}/edit/"),
            ("post", f"/de/startups/{startup}/edit/", invalid_startup),
            ("post", f"/de/startups/{startup}/invite/", {"email": "not-an-address"}),
            ("get", f"/de/startups/{startup}/leave/"),
            ("get", "/de/applications/"),
            ("get", f"/de/applications/{draft}/"),
            ("get", f"/de/applications/{draft}/edit/"),
            ("post", f"/de/applications/{draft}/edit/", too_long),
            ("get", f"/de/applications/{draft}/review/"),
            ("get", "/de/accounts/email/"),
            ("post", "/de/accounts/email/", {"email": "not-an-address", "action_add": ""}),
            ("get", "/de/accounts/password/change/"),
            ("post", "/de/accounts/password/change/", {"oldpassword": "wrong", "password1": "a"}),
            ("get", "/de/accounts/data-export/"),
            ("get", "/de/accounts/delete-account/"),
            ("get", "/de/accounts/2fa/"),
            ("get", "/de/accounts/reauthenticate/"),
            ("post", "/de/accounts/reauthenticate/", {"password": "wrong"}),
            ("post", "/de/accounts/reauthenticate/", {"password": PASSWORD}),
            ("get", "/de/accounts/2fa/totp/activate/"),
            ("post", "/de/accounts/2fa/totp/activate/", {"code": "000000"}),
            ("get", "/de/accounts/2fa/webauthn/"),
            ("get", "/de/accounts/2fa/webauthn/add/"),
            ("get", "/de/accounts/logout/"),
            ("post", "/de/accounts/logout/"),  # the home page with "signed out"
        ],
    )

    assert found == {}, report(found)


def test_two_factor_pages_say_sie(german_client, world):
    """A founder who turned on an authenticator app: its login step, codes, deactivation."""
    founder = UserFactory(email="founder@example.com", password=PASSWORD, language="de")
    EmailAddress.objects.create(user=founder, email=founder.email, verified=True, primary=True)
    TOTP.activate(founder, generate_totp_secret())
    RecoveryCodes.activate(founder)
    login = {"login": founder.email, "password": PASSWORD}

    found = scan(
        german_client,
        [
            ("post", "/de/accounts/login/", login),  # on to the second step
            ("post", "/de/accounts/2fa/authenticate/", {"code": "000000"}),
        ],
    )
    german_client.force_login(founder)
    found |= scan(
        german_client,
        [
            ("get", "/de/accounts/2fa/"),
            ("post", "/de/accounts/2fa/reauthenticate/", {"code": "000000"}),
            ("post", "/de/accounts/reauthenticate/", {"password": PASSWORD}),
            ("get", "/de/accounts/2fa/totp/deactivate/"),
            ("get", "/de/accounts/2fa/recovery-codes/"),
            ("get", "/de/accounts/2fa/recovery-codes/generate/"),
        ],
    )

    assert found == {}, report(found)


@pytest.mark.parametrize(
    "path",
    ["/de/accounts/login/", "/de/accounts/signup/", "/de/accounts/password/reset/"],
)
def test_account_forms_leave_checking_to_the_portal(german_client, path):
    """The browser's own bubbles ("Fülle dieses Feld aus.") would speak for the portal."""
    html = german_client.get(path).content.decode()

    forms_here = re.findall(rf'<form method="post"\s+action="{path}"([^>]*)>', html)

    assert [attributes.split() for attributes in forms_here] == [["novalidate"]]


def test_the_german_account_emails_say_sie(german_client, world):
    signup = {"name": "Ada", "email": "ada@example.com", "password1": PASSWORD}
    founder = UserFactory(email="founder@example.com", password=PASSWORD, language="de")
    # Another founder asks for the verification again (one email per address and cooldown).
    unverified = UserFactory(email="second@example.com", language="de")
    EmailAddress.objects.create(user=unverified, email=unverified.email, primary=True)
    german_client.force_login(unverified)
    requests = [
        ("/de/accounts/email/", {"email": unverified.email, "action_send": ""}),
        ("/de/accounts/logout/", {}),
        ("/de/accounts/signup/", {**signup, "password2": PASSWORD}),
        ("/de/accounts/signup/", {**signup, "email": founder.email, "password2": PASSWORD}),
        ("/de/accounts/password/reset/", {"email": "nobody@example.com"}),
        ("/de/accounts/password/reset/", {"email": founder.email}),
    ]
    for url, data in requests:
        with transaction.atomic():
            german_client.post(url, data)

    found = email_problems()

    assert sorted(EmailMessage.objects.values_list("template_key", flat=True)) == [
        "account/email/account_already_exists",
        "account/email/email_confirmation",
        "account/email/email_confirmation_signup",
        "account/email/password_reset_key",
        "account/email/unknown_account",
    ]
    assert found == {}, report(found)


def catalogue(path: Path) -> list[str | tuple[str, int]]:
    """The message keys of a compiled catalogue: msgids, "context\\x04msgid", (msgid, n)."""
    with path.open("rb") as file:
        return [key for key in gettext.GNUTranslations(file)._catalog if key]


def german(key: str | tuple[str, int]) -> str:
    """What the portal shows for a catalogue key in German, whichever catalogue wins."""
    with translation.override("de"):
        if isinstance(key, tuple):
            return translation.ngettext(key[0], key[0], 1 if key[1] == 0 else 2)
        if "\x04" in key:
            return translation.pgettext(*key.split("\x04"))
        return translation.gettext(key)


LIBRARIES = {
    "allauth": Path(allauth.__file__).parent / "locale/de/LC_MESSAGES/django.mo",
    "django": Path(django.__file__).parent / "conf/locale/de/LC_MESSAGES/django.mo",
    "django.contrib.auth": Path(django.__file__).parent
    / "contrib/auth/locale/de/LC_MESSAGES/django.mo",
}


@pytest.mark.parametrize("library", LIBRARIES)
def test_no_german_string_of_the_libraries_says_du(library):
    familiar = {
        key if isinstance(key, str) else key[0]: german(key)
        for key in catalogue(LIBRARIES[library])
        if FAMILIAR.search(german(key))
    }

    left = {key: [text] for key, text in familiar.items() if not key.startswith(NOT_FOR_FOUNDERS)}

    assert left == {}, report(left)


def test_every_override_is_still_a_string_of_the_libraries():
    """An upgrade that rewords a msgid leaves our translation unused: say so."""
    known = {
        key if isinstance(key, str) else key[0]
        for path in LIBRARIES.values()
        for key in catalogue(path)
    }
    english = Path(django.__file__).parent / "conf/locale/en/LC_MESSAGES/django.po"
    known |= set(re.findall(r'^msgid "(.+)"$', english.read_text(), re.MULTILINE))

    overrides = [*i18n_overrides.ALLAUTH, *i18n_overrides.DJANGO]

    assert len(overrides) == 56
    assert [msgid for msgid in overrides if msgid not in known] == []


def test_django_validators_and_the_blank_choice_say_sie():
    with translation.override("de"):
        select = models.CharField(choices=[("a", "A")], blank=True).formfield()
        blank = str(select.choices[0][1])
        errors = {
            "url": field_error(forms.URLField(), "not a url"),
            "email": field_error(forms.EmailField(), "not-an-address"),
            "number": field_error(forms.IntegerField(), "many"),
            "choice": field_error(forms.ChoiceField(choices=[("a", "A")]), "b"),
            "too long": field_error(forms.CharField(max_length=3), "abcde"),
            "too short": field_error(forms.CharField(min_length=3), "ab"),
            "file name": field_error(
                forms.FileField(max_length=5), SimpleUploadedFile("long-name.pdf", b"%PDF")
            ),
        }

    assert blank == "- Wählen Sie eine Option -"
    assert errors == {
        "url": "Geben Sie eine gültige URL ein.",
        "email": "Geben Sie eine gültige E-Mail-Adresse ein.",
        "number": "Geben Sie eine ganze Zahl ein.",
        "choice": "Wählen Sie eine der angebotenen Optionen: b ist keine gültige Auswahl.",
        "too long": "Geben Sie höchstens 3 Zeichen ein (bisher 5).",
        "too short": "Geben Sie mindestens 3 Zeichen ein (bisher 2).",
        "file name": "Der Dateiname darf höchstens 5 Zeichen lang sein (er hat 13).",
    }


def field_error(field: forms.Field, value) -> str:
    """The one message `field` gives for `value`, in the active language."""
    with pytest.raises(ValidationError) as error:
        field.clean(value)
    [message] = error.value.messages
    return message
