"""Under /api/ every error is a problem in development too, where Django shows debug pages."""

import pytest

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.mark.parametrize(
    "path", ["/api/v1/nope/", "/api/v1/partner/applications/-1/", "/api/v1/cities/atlantis/"]
)
def test_a_404_is_a_problem_with_debug_on(client, settings, path):
    settings.DEBUG = True

    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["status"] == 404
    assert b"urlpatterns" not in response.content


def test_options_on_the_docs_page_is_a_405_problem(client):
    response = client.options("/api/docs/")

    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM
    assert "GET" in response["Allow"]
