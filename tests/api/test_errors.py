"""One error shape under /api/: RFC 9457 problems for every 4xx and 5xx, wherever it arises."""

import pytest
from django.test import Client

from tests.api.conftest import auth

pytestmark = pytest.mark.urls("tests.api.error_urls")

PROBLEM = "application/problem+json"
NOT_FOUND = {
    "type": "about:blank",
    "title": "Not Found",
    "status": 404,
    "detail": "Nothing is at this URL; /api/schema/ lists the API's paths.",
}


def problem_of(response) -> dict:
    assert response["Content-Type"] == PROBLEM
    return response.json()


@pytest.mark.parametrize(
    "path",
    [
        "/api",
        "/api/",
        "/api/nope",
        "/api/nope/",
        "/api/v1/nope/",
        "/api/v1/nope",
        "/api/v2/cities/",
        "/api/v1/partner/applications/1/deep/er/path/",
        "/api/v1/partner/applications/not-a-number/",
    ],
)
def test_unknown_url_is_a_problem(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert problem_of(response) == NOT_FOUND


def test_unknown_url_problem_is_english_whatever_the_accepted_language(client):
    response = client.get("/api/v1/nope/", HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 404
    assert problem_of(response) == NOT_FOUND
    assert response["Content-Language"] == "en"


def test_unknown_url_outside_the_api_stays_a_page(client):
    response = client.get("/en/nope/")

    assert response.status_code == 404
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_method_not_allowed_is_a_problem_with_allow(client):
    response = client.post("/api/schema/", {}, content_type="application/json")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert problem_of(response) == {
        "type": "urn:start-alliance:problem:method-not-allowed",
        "title": "Method Not Allowed",
        "status": 405,
        "detail": 'Method "POST" not allowed.',
    }


def test_method_not_allowed_on_a_partner_endpoint_is_english(client, partners):
    response = client.delete(
        "/api/v1/partner/applications/", HTTP_ACCEPT_LANGUAGE="de", **auth(partners.tlv_raw)
    )

    assert response.status_code == 405
    assert problem_of(response) == {
        "type": "urn:start-alliance:problem:method-not-allowed",
        "title": "Method Not Allowed",
        "status": 405,
        "detail": 'Method "DELETE" not allowed.',
    }


NOT_ACCEPTABLE = {
    "type": "urn:start-alliance:problem:not-acceptable",
    "title": "Not Acceptable",
    "status": 406,
    "detail": "Could not satisfy the request Accept header.",
}


def test_html_only_accept_is_a_json_problem(client, partners):
    response = client.get(
        "/api/v1/partner/applications/", HTTP_ACCEPT="text/html", **auth(partners.tlv_raw)
    )

    assert response.status_code == 406
    assert problem_of(response) == NOT_ACCEPTABLE


def test_html_only_accept_on_the_schema_is_a_json_problem_not_yaml(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="text/html")

    assert response.status_code == 406
    assert problem_of(response) == NOT_ACCEPTABLE


def test_wrong_method_on_the_docs_page_is_a_json_problem_not_html(client):
    response = client.post("/api/docs/")

    assert response.status_code == 405
    assert problem_of(response) == {
        "type": "urn:start-alliance:problem:method-not-allowed",
        "title": "Method Not Allowed",
        "status": 405,
        "detail": 'Method "POST" not allowed.',
    }


def test_body_not_in_json_is_a_problem(client):
    response = client.post("/api/test/echo/", "name=Ada", content_type="text/plain")

    assert response.status_code == 415
    assert problem_of(response) == {
        "type": "urn:start-alliance:problem:unsupported-media-type",
        "title": "Unsupported Media Type",
        "status": 415,
        "detail": 'Unsupported media type "text/plain" in request.',
    }


def test_malformed_json_is_a_problem(client):
    response = client.post("/api/test/echo/", "{nope", content_type="application/json")

    assert response.status_code == 400
    assert problem_of(response) == {
        "type": "urn:start-alliance:problem:parse-error",
        "title": "Bad Request",
        "status": 400,
        "detail": "JSON parse error - Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1)",
    }


def test_field_errors_are_listed_by_field(client):
    response = client.post(
        "/api/test/invalid/",
        {"name": "Ada Lovelace", "team": [1, 0]},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert problem_of(response) == {
        "type": "urn:start-alliance:problem:invalid",
        "title": "Bad Request",
        "status": 400,
        "detail": "The request has invalid parameters or fields; see errors.",
        "errors": [
            {"field": "name", "detail": "Ensure this field has no more than 5 characters."},
            {"field": "team.1", "detail": "Ensure this value is greater than or equal to 1."},
        ],
    }


def test_invalid_parameter_of_a_partner_endpoint_is_a_field_error(client, partners):
    response = client.get("/api/v1/partner/applications/?page_size=0", **auth(partners.tlv_raw))

    assert response.status_code == 400
    assert problem_of(response) == {
        "type": "urn:start-alliance:problem:invalid",
        "title": "Bad Request",
        "status": 400,
        "detail": "The request has invalid parameters or fields; see errors.",
        "errors": [{"field": "page_size", "detail": "A whole number from 1 to 100."}],
    }


def test_missing_key_is_a_problem_with_the_challenge(client, db):
    response = client.get("/api/v1/partner/applications/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    assert problem_of(response) == {
        "type": "urn:start-alliance:problem:not-authenticated",
        "title": "Unauthorized",
        "status": 401,
        "detail": "Send an organisation's key: `Authorization: Api-Key <key>`.",
    }


def test_nul_byte_in_the_query_is_a_problem(client):
    response = client.get("/api/v1/partner/applications/?lang=%00")

    assert response.status_code == 400
    assert problem_of(response) == {
        "type": "urn:start-alliance:problem:bad-input",
        "title": "Bad Request",
        "status": 400,
        "detail": "The request has a NUL byte or is not UTF-8.",
    }


def test_too_large_body_is_a_problem(client, settings):
    settings.MAX_REQUEST_BYTES = 1000

    response = client.post(
        "/api/test/echo/", {"pitch": "x" * 2000}, content_type="application/json"
    )

    assert response.status_code == 413
    assert problem_of(response) == {
        "type": "urn:start-alliance:problem:too-large",
        "title": "Content Too Large",
        "status": 413,
        "detail": "The request body is larger than this server accepts.",
    }


def test_unknown_host_is_a_problem(client):
    response = client.get("/api/schema/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert problem_of(response) == {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "detail": "The Host header names a host this server does not answer for.",
    }


@pytest.mark.parametrize("path", ["/api/test/boom/", "/api/test/boom-plain/"])
def test_server_error_is_a_problem_without_the_exception(settings, path):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)

    response = client.get(path)

    assert response.status_code == 500
    assert problem_of(response) == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "The server failed to answer this request; the failure is logged. "
        "Try again later.",
    }
    assert b"hunter2" not in response.content
    assert b"RuntimeError" not in response.content
    assert b"Traceback" not in response.content


def test_throttled_request_is_a_problem_with_retry_after(client):
    assert client.get("/api/test/limited/").status_code == 200

    response = client.get("/api/test/limited/")

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert problem_of(response) == {
        "type": "urn:start-alliance:problem:throttled",
        "title": "Too Many Requests",
        "status": 429,
        "detail": "Request was throttled. Expected available in 3600 seconds.",
    }


@pytest.mark.urls("alliance.urls")
@pytest.mark.parametrize(
    "header",
    [
        {"HTTP_IF_MATCH": '"not-this-one"'},
        {"HTTP_IF_UNMODIFIED_SINCE": "Mon, 01 Jan 2001 00:00:00 GMT"},
    ],
)
def test_a_failed_precondition_is_a_problem(client, db, header):
    response = client.get("/api/v1/cities/", **header)

    assert response.status_code == 412
    assert problem_of(response)["title"] == "Precondition Failed"
    assert problem_of(response)["status"] == 412
