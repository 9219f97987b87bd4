"""Reading the public API's answers in tests: the slugs of a page, a 400's field errors."""

PROBLEM = "application/problem+json"
NO_TEXT = {"en": None, "de": None, "fr": None, "he": None, "zh-hans": None, "pl": None, "ar": None}


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["slug"] for row in response.json()["results"]]


def field_errors(response) -> list[dict]:
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"] == "urn:start-alliance:problem:invalid"
    return body["errors"]
