import pytest

from alliance.mail.models import EmailTemplate
from alliance.mail.outbox import Recipient, queue_email
from alliance.mail.rendering import render
from alliance.mail.templates import default_keys, sync_defaults
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KEY = "exchanges/email/application_accepted"
VALUES = {
    "startup": "Orbit",
    "programme": "TLV Exchange",
    "host_city": "Tel Aviv",
    "deadline": "1 Dec",
    "confirm_url": "https://portal.example/x",
    "application_url": "https://portal.example/x",
}


@pytest.fixture
def templates():
    sync_defaults()
    return EmailTemplate.objects.get(key=KEY)


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def form(template: EmailTemplate, **changes) -> dict:
    data = {}
    for field in ("subject", "body"):
        for code in ("en", "de", "fr", "he", "zh_hans", "pl", "ar"):
            data[f"{field}_{code}"] = getattr(template, f"{field}_{code}") or ""
    return {**data, **changes}


def test_defaults_fill_the_table_once(templates):
    assert sorted(EmailTemplate.objects.values_list("key", flat=True)) == sorted(default_keys())
    assert templates.placeholders == "comment confirm_url deadline host_city programme startup"
    assert (
        templates.subject_de == "Zusage: {{ startup }} für {{ programme }} \u2013 bitte bestätigen"
    )
    assert sync_defaults() == 0


def test_de_and_en_render_with_placeholders(templates):
    subject_de, text_de, _ = render(KEY, "de", VALUES)
    subject_en, text_en, _ = render(KEY, "en", VALUES)

    assert subject_de == "Zusage: Orbit für TLV Exchange \u2013 bitte bestätigen"
    assert subject_en == "Accepted: Orbit for TLV Exchange \u2013 please confirm"
    assert "Bitte bestätigen Sie Ihren Platz bis 1 Dec." in text_de
    assert "Confirm here: https://portal.example/x" in text_en


def test_a_language_without_its_own_text_falls_back_to_english(templates):
    templates.subject_de = ""
    templates.body_de = ""
    templates.save()

    subject, text, _ = render(KEY, "de", VALUES)

    assert subject == "Accepted: Orbit for TLV Exchange \u2013 please confirm"
    assert text.startswith("Hello,")


def test_markup_in_values_is_escaped_in_html(templates):
    _subject, text, html = render(KEY, "en", {**VALUES, "startup": "<b>Orbit & Co</b>"})

    assert "<b>Orbit & Co</b>" in text
    assert "&lt;b&gt;Orbit &amp; Co&lt;/b&gt;" in html
    assert "<b>Orbit" not in html


def test_staff_edit_is_used_and_survives_new_defaults(staff_client, templates):
    url = f"/admin/mail/emailtemplate/{templates.pk}/change/"

    response = staff_client.post(url, form(templates, subject_de="Glückwunsch, {{ startup }}!"))
    sync_defaults()
    (message,) = queue_email(KEY, to=[Recipient("a@example.com", "de")], context=VALUES)

    assert response.status_code == 302
    templates.refresh_from_db()
    assert (templates.subject_de, templates.customised) == ("Glückwunsch, {{ startup }}!", True)
    assert message.subject == "Glückwunsch, Orbit!"


def test_reset_restores_the_default(staff_client, templates):
    templates.subject_en = "Custom"
    templates.customised = True
    templates.save()

    staff_client.post(
        "/admin/mail/emailtemplate/",
        {"action": "reset_to_default", "_selected_action": [templates.pk]},
    )

    templates.refresh_from_db()
    assert (templates.subject_en, templates.customised) == (
        "Accepted: {{ startup }} for {{ programme }} \u2013 please confirm",
        False,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Hi {{ startup.owner }}", "Only placeholders like {{ startup }} are allowed"),
        ("{{ settings.SECRET_KEY }}", "Only placeholders like {{ startup }} are allowed"),
        ("{% load static %}{{ startup }}", "Only placeholders like {{ startup }} are allowed"),
        ("{{ startup|upper }}", "Only placeholders like {{ startup }} are allowed"),
        ("{{ password }}", "Unknown placeholders: password."),
    ],
)
def test_placeholders_that_reach_further_are_refused(staff_client, templates, text, message):
    url = f"/admin/mail/emailtemplate/{templates.pk}/change/"

    response = staff_client.post(url, form(templates, body_en=text))

    assert response.status_code == 200
    assert message in response.content.decode()
    templates.refresh_from_db()
    assert templates.customised is False


def test_preview_in_each_language(staff_client, templates):
    html = staff_client.get(f"/admin/mail/emailtemplate/{templates.pk}/change/").content.decode()

    assert "Accepted: «startup» for «programme»" in html
    assert "Zusage: «startup» für «programme»" in html


def test_account_emails_are_not_editable(templates):
    assert not EmailTemplate.objects.filter(key__startswith="account/").exists()
