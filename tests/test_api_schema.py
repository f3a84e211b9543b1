"""The OpenAPI schema documents everything: every operation has examples, every field and parameter a
description, and every example is valid against the schema it illustrates (and, for the seeded objects,
is what the API answers)."""

import copy

import jsonschema
import pytest
from django.urls import reverse

from api import examples as ex

pytestmark = pytest.mark.django_db
METHODS = ("get", "put", "patch", "post", "delete")


@pytest.fixture(scope="module")
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def media(operation):
    """(where, media type object) for the request body and every response."""
    for content_type, body in operation.get("requestBody", {}).get("content", {}).items():
        yield f"request {content_type}", body
    for code, answer in operation["responses"].items():
        for content_type, body in answer.get("content", {}).items():
            yield f"{code} {content_type}", body


def json_schema(node, components, depth=0):
    """An OpenAPI 3.0 schema as JSON Schema: references inlined, ``nullable`` as a "null" type, ``oneOf`` as
    ``anyOf`` (drf-spectacular writes a blank-or-URL field as oneOf [blank, uri]; without a URI format checker
    both match "")."""
    assert depth < 30, "recursive schema"
    if isinstance(node, list):
        return [json_schema(n, components, depth + 1) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return json_schema(components[node["$ref"].rsplit("/", 1)[1]], components, depth + 1)
    converted = {
        "anyOf" if k == "oneOf" else k: json_schema(v, components, depth + 1)
        for k, v in node.items()
        if k != "nullable"
    }
    if node.get("nullable"):
        if "enum" in converted:
            converted["enum"] = [*converted["enum"], None]
        if isinstance(converted.get("type"), str):
            converted["type"] = [converted["type"], "null"]
        else:
            converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


def test_every_operation_has_examples(schema):
    missing = []
    for name, operation in operations(schema):
        successes = [
            body
            for code, answer in operation["responses"].items()
            if code.startswith("2")
            for body in answer.get("content", {}).values()
        ]
        if not any(body.get("examples") for body in successes):
            missing.append(f"{name}: no example of a successful answer")
        for content_type, body in operation.get("requestBody", {}).get("content", {}).items():
            if content_type == "application/json" and not body.get("examples"):
                missing.append(f"{name}: no example of its request body")
        for code in ("400", "404"):
            if not operation["responses"][code]["content"]["application/json"].get("examples"):
                missing.append(f"{name}: no example of its {code} answer")
    assert not missing, "\n".join(missing)


def test_public_reads_say_anonymous_access_is_allowed_and_writes_need_a_token(schema):
    """security lists alternatives: {} (no credentials) beside the token on every read, never on a write."""
    for name, operation in operations(schema):
        security = operation.get("security")
        assert {"apiToken": []} in security, name
        assert ({} in security) == name.startswith("GET "), name


def test_every_field_and_parameter_is_described(schema):
    undescribed = []

    def walk(node, trail):
        for name, field in node.get("properties", {}).items():
            if not (field.get("description") or "").strip():
                undescribed.append(f"{trail}.{name}")
            walk(field, f"{trail}.{name}")
        if isinstance(node.get("items"), dict):
            walk(node["items"], f"{trail}[]")

    for name, component in schema["components"]["schemas"].items():
        walk(component, name)
        if "enum" in component and not component.get("description") and component["enum"] != [""]:
            undescribed.append(name)
    for name, operation in operations(schema):
        undescribed += [
            f"{name} parameter {p['name']}" for p in operation.get("parameters", []) if not p.get("description")
        ]
        if not operation.get("summary"):
            undescribed.append(f"{name}: no summary")
    assert not undescribed, "\n".join(undescribed)


def test_every_example_is_valid_against_its_schema(schema):
    components = schema["components"]["schemas"]
    checked, wrong = 0, []
    for name, operation in operations(schema):
        for where, body in media(operation):
            shape = json_schema(body["schema"], components)
            for label, example in body.get("examples", {}).items():
                checked += 1
                errors = list(jsonschema.Draft202012Validator(shape).iter_errors(example["value"]))
                wrong += [f"{name} {where} “{label}”: {e.message} at {list(e.absolute_path)}" for e in errors]
    assert checked > 60
    assert not wrong, "\n".join(wrong)


def test_the_validation_sees_a_wrong_example(schema):
    """The check above is not vacuous: a misspelt status or a missing field fails it."""
    components = schema["components"]["schemas"]
    shape = json_schema({"$ref": "#/components/schemas/Update"}, components)
    jsonschema.validate(ex.UPDATE, shape)
    for broken in (ex.UPDATE | {"status": "done"}, {k: v for k, v in ex.UPDATE.items() if k != "actor"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, shape)


@pytest.mark.parametrize(
    "route, lookup, example",
    [
        ("api:section-detail", "IV.B.2", ex.SECTION),
        ("api:paragraph-detail", 35, ex.PARAGRAPH),
        ("api:theme-detail", "remittances", ex.THEME),
        ("api:addressee-detail", "member-states", ex.ADDRESSEE),
        ("api:instrument-detail", "ICRMW", ex.INSTRUMENT),
        ("api:sdg-target-detail", "10.c", ex.SDG_TARGET),
        ("api:actor-detail", "GHA", ex.COUNTRY),
        ("api:item-detail", "R17", ex.ITEM),
        ("api:item-detail", "R02", ex.RATIFICATION_ITEM),
    ],
)
def test_examples_of_seeded_objects_are_what_the_api_answers(client, route, lookup, example):
    answer = client.get(reverse(route, args=[lookup])).json()
    expected = copy.deepcopy(example)
    if "citations" in expected:  # the example quotes one of the item's citations and some of its addressees
        assert all(c in answer["citations"] for c in expected.pop("citations"))
        assert set(expected.pop("addressees")) <= set(answer["addressees"])
        expected.pop("updated_at")
    assert {k: answer[k] for k in expected} == expected
