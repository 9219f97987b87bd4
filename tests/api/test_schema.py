"""The OpenAPI schema at /api/schema/: valid, warning-free, and honest about errors."""

import json

import pytest
import yaml
from openapi_spec_validator import validate

from tests.processes import run_python

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
PROBLEM_REF = "#/components/schemas/Problem"


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", item, operation


def test_schema_in_json_is_valid_openapi(schema):
    validate(schema)

    assert schema["openapi"] == "3.0.3"
    assert schema["info"]["title"] == "Start Alliance API"


def test_schema_in_yaml_is_valid_openapi(client, schema):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oai.openapi; charset=utf-8"
    document = yaml.safe_load(response.content)
    validate(document)
    assert document == schema


def test_schema_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    result = run_python(
        "manage.py",
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(target),
        env={"DJANGO_SETTINGS_MODULE": "tests.settings"},
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    validate(yaml.safe_load(target.read_text()))


def test_schema_lists_the_api(schema):
    assert "/api/v1/partner/applications/" in schema["paths"]
    assert "/api/v1/partner/applications/{application_id}/" in schema["paths"]
    assert not [path for path in schema["paths"] if not path.startswith("/api/v1/")]


def test_every_error_response_is_a_problem(schema):
    wrong = {
        f"{name} {status}": response.get("content")
        for name, _item, operation in operations(schema)
        for status, response in operation["responses"].items()
        if status[0] in "45"
        and (
            list(response.get("content", {})) != ["application/problem+json"]
            or response["content"]["application/problem+json"]["schema"] != {"$ref": PROBLEM_REF}
        )
    }

    assert wrong == {}


def test_every_operation_documents_its_errors(schema):
    missing = {}
    for name, item, operation in operations(schema):
        expected = {"405", "406", "429"}
        if operation.get("security"):
            expected |= {"401", "403"}
        parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
        if any(parameter["in"] == "path" for parameter in parameters):
            expected.add("404")
        if any(parameter["in"] == "query" for parameter in parameters):
            expected.add("400")
        if absent := sorted(expected - set(operation["responses"])):
            missing[name] = absent

    assert missing == {}


def test_the_problem_component_names_its_fields(schema):
    problem = schema["components"]["schemas"]["Problem"]

    assert problem["required"] == ["detail", "status", "title", "type"]
    assert sorted(problem["properties"]) == ["detail", "errors", "status", "title", "type"]
    assert schema["components"]["schemas"]["FieldError"]["required"] == ["detail", "field"]


def test_partner_operations_need_the_partner_key(schema):
    assert schema["components"]["securitySchemes"]["PartnerApiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "An organisation's key, sent as `Api-Key <key>`; it has scopes "
        "(read, recommend, webhooks). Staff of the Start Alliance issue keys.",
    }
    unguarded = [
        name
        for name, _item, operation in operations(schema)
        if "/partner/" in name and operation.get("security") != [{"PartnerApiKey": []}]
    ]
    assert unguarded == []


def test_every_parameter_is_described(schema):
    undescribed = [
        f"{name} {parameter['in']}:{parameter['name']}"
        for name, item, operation in operations(schema)
        for parameter in [*item.get("parameters", []), *operation.get("parameters", [])]
        if not parameter.get("description", "").strip()
    ]

    assert undescribed == []
