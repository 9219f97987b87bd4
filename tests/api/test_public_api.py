"""What the public endpoints share: languages, conditional requests, limits and CORS."""

import datetime

import pytest

from alliance.api.throttling import ClientAddressThrottle
from exchanges.models import ExchangeProgramme
from tests.factories import CityFactory, OrganisationFactory, ProgrammeFactory

PROBLEM = "application/problem+json"
PUBLIC_PATHS = [
    "/api/v1/cities/",
    "/api/v1/cities/vienna/",
    "/api/v1/organisations/",
    "/api/v1/organisations/vienna-business-agency/",
    "/api/v1/agreements/",
    "/api/v1/programmes/",
    "/api/v1/programmes/vienna-residency/",
]
UPDATED = datetime.datetime(2026, 11, 20, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def vienna(db):
    """Vienna in English and German, its agency, and a programme with German gaps."""
    city = CityFactory(
        slug="vienna",
        name_en="Vienna",
        name_de="Wien",
        description_en="Austria's capital.",
        description_de="",
    )
    agency = OrganisationFactory(
        slug="vienna-business-agency",
        name="Vienna Business Agency",
        city=city,
        description_en="The city's agency for business.",
        description_de="Die Wirtschaftsagentur der Stadt.",
    )
    programme = ProgrammeFactory(
        slug="vienna-residency",
        title_en="Vienna Residency",
        title_de="Residenz Wien",
        summary_en="Four weeks in Vienna.",
        summary_de="Vier Wochen in Wien.",
        description_en="Desks at the agency's hub.",
        description_de="",
        benefits_en="",
        host_city=city,
        host_organisation=agency,
    )
    # Its call opened before its last edit: the edit is its last change.
    ExchangeProgramme.objects.filter(pk=programme.pk).update(
        updated_at=UPDATED, applications_open_at=UPDATED - datetime.timedelta(days=1)
    )
    return programme


# Languages


def test_lang_gives_plain_strings_with_english_fallbacks_named_last(client, vienna):
    response = client.get("/api/v1/programmes/vienna-residency/", {"lang": "de"})

    assert response.status_code == 200
    body = response.json()
    assert (body["title"], body["summary"], body["description"], body["benefits"]) == (
        "Residenz Wien",
        "Vier Wochen in Wien.",
        "Desks at the agency's hub.",
        None,
    )
    assert list(body)[-1] == "fallback_languages"
    assert body["fallback_languages"] == {"description": "en"}


def test_lang_without_fallbacks_names_none(client, vienna):
    response = client.get("/api/v1/organisations/vienna-business-agency/", {"lang": "de"})

    assert response.status_code == 200
    assert response.json()["description"] == "Die Wirtschaftsagentur der Stadt."
    assert response.json()["fallback_languages"] == {}


def test_lang_on_a_list_applies_to_each_row(client, vienna):
    response = client.get("/api/v1/cities/", {"lang": "de"})

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["name"], row["description"], row["fallback_languages"]) == (
        "Wien",
        "Austria's capital.",
        {"description": "en"},
    )


def test_without_lang_there_are_no_fallback_languages(client, vienna):
    response = client.get("/api/v1/cities/vienna/")

    assert response.status_code == 200
    assert "fallback_languages" not in response.json()
    assert response.json()["name"] == {
        "en": "Vienna",
        "de": "Wien",
        "fr": None,
        "he": None,
        "zh-hans": None,
        "pl": None,
        "ar": None,
    }


UNKNOWN_LANGUAGE = {
    "type": "urn:start-alliance:problem:invalid",
    "title": "Bad Request",
    "status": 400,
    "detail": "The request has invalid parameters or fields; see errors.",
    "errors": [
        {
            "field": "lang",
            "detail": "Unknown language 'xx'; use one of: en, de, fr, he, zh-hans, pl, ar.",
        }
    ],
}


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_unknown_lang_is_a_problem(client, vienna, path):
    response = client.get(path, {"lang": "xx"})

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json() == UNKNOWN_LANGUAGE


@pytest.mark.django_db
def test_unknown_lang_is_a_problem_on_an_empty_list(client):
    response = client.get("/api/v1/agreements/", {"lang": "xx"})

    assert response.status_code == 400
    assert response.json() == UNKNOWN_LANGUAGE


@pytest.mark.parametrize(
    "path", [*PUBLIC_PATHS, "/api/v1/programmes/?lang=de", "/api/v1/cities/?ordering=bad"]
)
def test_accept_language_alone_changes_nothing(client, vienna, path):
    plain = client.get(path)

    german = client.get(path, HTTP_ACCEPT_LANGUAGE="de")

    assert german.status_code == plain.status_code
    assert german.content == plain.content
    assert german["ETag"] == plain["ETag"]
    assert german["Content-Language"] == plain["Content-Language"] == "en"
    assert german["Vary"] == plain["Vary"]


def test_responses_do_not_vary_on_accept_language(client, vienna):
    response = client.get("/api/v1/cities/", HTTP_ACCEPT_LANGUAGE="de")

    assert "accept-language" not in response.get("Vary", "").lower()


# Conditional requests


def test_programme_detail_answers_if_none_match_with_304(client, vienna):
    first = client.get("/api/v1/programmes/vienna-residency/")

    again = client.get("/api/v1/programmes/vienna-residency/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200
    assert first["ETag"].startswith('"')
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_programme_detail_answers_if_modified_since_with_304(client, vienna):
    response = client.get(
        "/api/v1/programmes/vienna-residency/",
        HTTP_IF_MODIFIED_SINCE="Fri, 20 Nov 2026 09:30:00 GMT",
    )

    assert response.status_code == 304
    assert response.content == b""
    assert response["Last-Modified"] == "Fri, 20 Nov 2026 09:30:00 GMT"


def test_a_call_that_opened_after_the_last_edit_is_a_later_change(client, vienna):
    opened = datetime.datetime(2026, 11, 25, 8, 0, tzinfo=datetime.UTC)
    ExchangeProgramme.objects.filter(pk=vienna.pk).update(applications_open_at=opened)

    response = client.get(
        "/api/v1/programmes/vienna-residency/",
        HTTP_IF_MODIFIED_SINCE="Fri, 20 Nov 2026 09:30:00 GMT",
    )

    assert response.status_code == 200  # `is_open` changed when the call opened
    assert response["Last-Modified"] == "Wed, 25 Nov 2026 08:00:00 GMT"


def test_programme_changed_since_is_sent_again(client, vienna):
    response = client.get(
        "/api/v1/programmes/vienna-residency/",
        HTTP_IF_MODIFIED_SINCE="Fri, 20 Nov 2026 09:29:59 GMT",
    )

    assert response.status_code == 200
    assert response.json()["updated_at"] == "2026-11-20T09:30:00Z"


def test_changed_programme_has_a_new_etag(client, vienna):
    first = client.get("/api/v1/programmes/vienna-residency/")
    vienna.seats = 9
    vienna.save()

    again = client.get("/api/v1/programmes/vienna-residency/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert again.json()["seats"] == 9
    assert again["ETag"] != first["ETag"]


def test_list_answers_if_none_match_with_304(client, vienna):
    first = client.get("/api/v1/cities/")

    again = client.get("/api/v1/cities/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304


def test_list_has_no_last_modified(client, vienna):
    response = client.get("/api/v1/programmes/")

    assert response.status_code == 200
    assert not response.has_header("Last-Modified")


# Limits


@pytest.fixture
def two_a_minute(monkeypatch):
    # DRF binds the rates to the class at import; the settings fixture would not reach them.
    rates = {**ClientAddressThrottle.THROTTLE_RATES, "public": "2/minute"}
    monkeypatch.setattr(ClientAddressThrottle, "THROTTLE_RATES", rates)
    # A stopped clock, so the wait is a whole minute however slow the machine.
    monkeypatch.setattr(ClientAddressThrottle, "timer", staticmethod(lambda: 1_800_000_000.0))


THROTTLED = {
    "type": "urn:start-alliance:problem:throttled",
    "title": "Too Many Requests",
    "status": 429,
    "detail": "Request was throttled. Expected available in 60 seconds.",
}


def test_third_request_in_a_minute_is_throttled_with_retry_after(client, vienna, two_a_minute):
    answers = [client.get("/api/v1/cities/").status_code for _ in range(2)]

    response = client.get("/api/v1/programmes/vienna-residency/")

    assert answers == [200, 200]
    assert response.status_code == 429
    assert response["Content-Type"] == PROBLEM
    assert response["Retry-After"] == "60"
    assert response.json() == THROTTLED


def test_throttle_counts_per_client_address(client, vienna, two_a_minute):
    for _ in range(2):
        client.get("/api/v1/cities/", REMOTE_ADDR="203.0.113.1")

    other = client.get("/api/v1/cities/", REMOTE_ADDR="203.0.113.2")
    same = client.get("/api/v1/cities/", REMOTE_ADDR="203.0.113.1")

    assert (other.status_code, same.status_code) == (200, 429)


def test_forwarded_for_is_ignored_without_a_proxy(client, vienna, two_a_minute):
    for n in range(2):
        client.get("/api/v1/cities/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")

    response = client.get("/api/v1/cities/", HTTP_X_FORWARDED_FOR="198.51.100.9")

    assert response.status_code == 429


def test_behind_one_proxy_the_address_it_saw_counts(client, vienna, two_a_minute, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    # A client may put anything first; our proxy appends the address it saw.
    for forged in ("198.51.100.1", "198.51.100.2"):
        client.get("/api/v1/cities/", HTTP_X_FORWARDED_FOR=f"{forged}, 203.0.113.7")

    same = client.get("/api/v1/cities/", HTTP_X_FORWARDED_FOR="198.51.100.3, 203.0.113.7")
    other = client.get("/api/v1/cities/", HTTP_X_FORWARDED_FOR="198.51.100.3, 203.0.113.8")

    assert (same.status_code, other.status_code) == (429, 200)


def test_invalid_requests_count_too(client, vienna, two_a_minute):
    for _ in range(2):
        client.get("/api/v1/cities/", {"lang": "xx"})

    response = client.get("/api/v1/cities/")

    assert response.status_code == 429


# CORS


def test_any_origin_may_read_a_public_endpoint(client, vienna):
    response = client.get("/api/v1/programmes/", HTTP_ORIGIN="https://partner.example")

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not response.has_header("Access-Control-Allow-Credentials")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_preflight_allows_no_writes(client, vienna, method):
    response = client.options(
        "/api/v1/programmes/",
        HTTP_ORIGIN="https://partner.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
    )

    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert method not in response["Access-Control-Allow-Methods"]


def test_preflight_for_a_read(client, vienna):
    response = client.options(
        "/api/v1/cities/",
        HTTP_ORIGIN="https://partner.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize(
    "path", ["/api/v1/partner/applications/", "/api/v1/partner/applications/1/"]
)
def test_partner_endpoints_get_no_cors_headers(client, vienna, path):
    response = client.get(path, HTTP_ORIGIN="https://partner.example")
    preflight = client.options(
        path,
        HTTP_ORIGIN="https://partner.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )

    assert response.status_code == 401
    assert not response.has_header("Access-Control-Allow-Origin")
    assert not preflight.has_header("Access-Control-Allow-Origin")
    assert not preflight.has_header("Access-Control-Allow-Methods")


def test_cors_exposes_the_caching_and_limit_headers(client, vienna):
    response = client.get("/api/v1/programmes/vienna-residency/", HTTP_ORIGIN="https://a.example")

    assert response["Access-Control-Expose-Headers"] == (
        "ETag, Last-Modified, Retry-After, Content-Language"
    )


# Schema


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


PUBLIC_OPERATIONS = {
    "/api/v1/cities/": ["lang", "ordering", "page", "page_size"],
    "/api/v1/cities/{slug}/": ["lang", "slug"],
    "/api/v1/organisations/": ["city", "kind", "lang", "ordering", "page", "page_size"],
    "/api/v1/organisations/{slug}/": ["lang", "slug"],
    "/api/v1/agreements/": ["lang", "organisation", "page", "page_size", "status"],
    "/api/v1/agreements/{id}/": ["id", "lang"],
    "/api/v1/programmes/": [
        "format",
        "host_city",
        "lang",
        "open_now",
        "ordering",
        "origin_city",
        "page",
        "page_size",
        "sector",
    ],
    "/api/v1/programmes/{slug}/": ["lang", "slug"],
}


def test_schema_documents_every_public_operation(schema):
    documented = {
        path: sorted(parameter["name"] for parameter in item["get"]["parameters"])
        for path, item in schema["paths"].items()
        if "/partner/" not in path
    }

    assert documented == PUBLIC_OPERATIONS


def test_schema_public_operations_answer_their_errors_as_problems(schema):
    statuses = {
        path: sorted(schema["paths"][path]["get"]["responses"]) for path in PUBLIC_OPERATIONS
    }

    assert statuses == {
        path: ["200", "400", "404", "405", "406", "429"] for path in PUBLIC_OPERATIONS
    }
    assert schema["paths"]["/api/v1/programmes/"]["get"]["responses"]["429"]["content"] == {
        "application/problem+json": {
            "schema": {"$ref": "#/components/schemas/Problem"},
            "examples": {
                "TooManyRequests": {
                    "value": {
                        "type": "about:blank",
                        "title": "Too Many Requests",
                        "status": 429,
                        "detail": "Too many requests; `Retry-After` says when to try again.",
                    },
                    "summary": "Too Many Requests",
                }
            },
        }
    }


def test_schema_public_operations_need_no_key(schema):
    secured = [path for path in PUBLIC_OPERATIONS if schema["paths"][path]["get"].get("security")]

    assert secured == []


def test_the_language_cookie_does_not_change_a_response_either(client, vienna):
    plain = client.get("/api/v1/cities/vienna/")
    client.cookies["django_language"] = "de"

    german = client.get("/api/v1/cities/vienna/", HTTP_ACCEPT_LANGUAGE="de")

    assert german.content == plain.content
    assert german["Content-Language"] == "en"
