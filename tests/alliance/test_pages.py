import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

PAGES = ["privacy/", "imprint/"]


def test_root_redirects_to_the_language_of_the_browser(client):
    response = client.get("/", headers={"accept-language": "de-DE,de;q=0.9"})

    assert response.status_code == 302
    assert response["Location"] == "/de/"


def test_home_in_english(client):
    response = client.get("/en/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in html
    assert '<main id="main" class="container" tabindex="-1">' in html
    assert "<h1>Start Alliance Berlin</h1>" in html
    assert '<span aria-current="true" lang="en">English</span>' in html
    assert '<a href="/de/" hreflang="de" lang="de">Deutsch</a>' in html
    assert '<a href="/en/privacy/">Privacy notice</a>' in html
    assert '<a href="/en/imprint/">Imprint</a>' in html


def test_home_in_german(client):
    response = client.get("/de/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="de" dir="ltr">' in html
    assert "Zum Hauptinhalt springen" in html
    assert "Startseite" in html
    assert '<a href="/en/" hreflang="en" lang="en">English</a>' in html
    assert '<a href="/de/privacy/">Datenschutzerklärung</a>' in html
    assert '<a href="/de/imprint/">Impressum</a>' in html


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/en/privacy/", "<h1>Privacy notice</h1>"),
        ("/de/privacy/", "<h1>Datenschutzerklärung</h1>"),
        ("/en/imprint/", "<h1>Imprint</h1>"),
        ("/de/imprint/", "<h1>Impressum</h1>"),
    ],
)
def test_legal_pages_are_no_longer_placeholders(client, path, heading):
    response = client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert heading in html
    assert 'class="placeholder"' not in html


def test_language_switcher_keeps_the_page(client):
    response = client.get("/en/imprint/")

    assert '<a href="/de/imprint/" hreflang="de" lang="de">Deutsch</a>' in response.content.decode()


def test_unknown_page_is_a_translated_404(client, settings):
    settings.DEBUG = False

    response = client.get("/de/nirgendwo/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Seite nicht gefunden</h1>" in html
    assert '<html lang="de"' in html


def test_language_switcher_on_an_error_page_leads_home(client, settings):
    settings.DEBUG = False

    response = client.get("/en/nowhere/")

    assert response.status_code == 404
    assert '<a href="/de/" hreflang="de" lang="de">Deutsch</a>' in response.content.decode()


def test_pages_send_security_headers(client):
    response = client.get("/en/")

    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("language", ["en", "de"])
def test_pages_make_no_queries_for_anonymous_visitors(client, page, language):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/{language}/{page}")

    assert response.status_code == 200
    # The privacy notice reads its list of recipients (the active partners) in one query.
    assert len(queries) == (1 if page == "privacy/" else 0)
