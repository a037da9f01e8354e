"""ninja's own refusals (request validation, a body that does not parse, no credentials, CSRF)
answer in the one error body, and the schema declares that body for them."""

import pytest

from portal.api_errors import ErrorOut

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


@pytest.mark.django_db
def test_validation_error_is_one_readable_error_body(client, member, event):
    client.force_login(member)
    response = client.patch("/api/rsvps/1", {"guests": 1000}, content_type="application/json")
    assert response.status_code == 422
    assert response.json() == {
        "detail": "guests: Input should be less than or equal to 100",
        "kind": "invalid",
        "field": "guests",
    }


@pytest.mark.django_db
def test_query_validation_error_names_the_parameter(client):
    response = client.get("/api/events", {"when": "someday"})
    assert response.status_code == 422
    body = response.json()
    assert (body["kind"], body["field"], type(body["detail"])) == ("invalid", "when", str)


@pytest.mark.django_db
def test_unparseable_body_is_invalid_not_400(client, member):
    from portal.services import api_token_create

    _, raw = api_token_create(user=member, name="t")
    response = client.post(
        "/api/events/nope/rsvp", "\x00{", content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json() == {
        "detail": "The request body is not valid JSON.",
        "kind": "invalid",
        "field": None,
    }


@pytest.mark.django_db
def test_missing_credentials_and_csrf_answer_the_one_body(client, member):
    assert client.get("/api/me/rsvps").json() == {
        "detail": "Unauthorized",
        "kind": None,
        "field": None,
    }
    client.force_login(member)
    csrf_client = type(client)(enforce_csrf_checks=True)
    csrf_client.force_login(member)
    response = csrf_client.post("/api/events/x/rsvp", {}, content_type="application/json")
    assert (response.status_code, response.json()["kind"]) == (403, "forbidden")


def test_schema_declares_the_error_body_for_every_refusal_ninja_makes(client):
    schema = client.get("/api/openapi.json").json()
    error_out = schema["components"]["schemas"]["ErrorOut"]
    assert (sorted(error_out["properties"]), error_out["required"]) == (
        sorted(ErrorOut.model_fields),
        ["detail"],
    )
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            expected = set()
            if operation.get("parameters") or operation.get("requestBody"):
                expected.add("422")
            if any(p["in"] == "path" for p in operation.get("parameters", ())):
                expected.add("404")
            if operation.get("security"):
                expected |= {"401", "403"} if method != "get" else {"401"}
            for status in expected:
                content = operation["responses"].get(status, {}).get("content", {})
                if content.get("application/json", {}).get("schema") != ERROR_REF:
                    missing.append(f"{method.upper()} {path} {status}")
    assert missing == []


def test_schema_component_names_are_unique(client):
    # Two response models with one name share one component: one route's schema is wrong
    # (live's and cfp's VoteOut did, until the fuzzer found it).
    from portal.api import api

    models = {}
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.response_models.values():
                    model = getattr(model, "__annotations__", {}).get("response", model)
                    name = getattr(model, "__name__", None)
                    if name:
                        where = f"{model.__module__}.{model.__qualname__}"
                        models.setdefault(name, set()).add(where)
    assert {name: sorted(found) for name, found in models.items() if len(found) > 1} == {}
