"""The API's one error body, for every refusal on every route (see `portal.errors`)."""

from ninja import Schema

from .errors import STATUS, Kind

# The part of a pydantic error's location that says where, not which field.
_SOURCES = {"path", "query", "header", "cookie", "body", "form", "file"}
_UNSAFE_METHODS = {"post", "put", "patch", "delete"}


class ErrorOut(Schema):
    detail: str
    kind: str | None = None
    field: str | None = None


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """`response={200: Out, **error_responses(404, 409)}`: the statuses a route may refuse
    with, all with the same body. Default: every status a ServiceError can have."""
    return {status: ErrorOut for status in (statuses or sorted(set(STATUS.values())))}


def validation_error_body(errors: list[dict]) -> dict:
    """ninja's list of pydantic errors as the one body: the first error in words, its field."""
    first = errors[0] if errors else {}
    loc = [str(part) for part in first.get("loc", ())]
    if loc and loc[0] in _SOURCES:
        where = loc[0]
        loc = loc[1:]
        if where == "body" and len(loc) > 1:
            loc = loc[1:]  # the view's parameter name (`payload`), not a field of the body
    field = ".".join(loc) or None
    message = str(first.get("msg") or "The request is not valid.")
    return {
        "detail": f"{field}: {message}" if field else message,
        "kind": str(Kind.INVALID),
        "field": field,
    }


_ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
_DESCRIPTIONS = {
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    422: "Unprocessable Content",
}


def declare_refusals(schema: dict) -> None:
    """Adds to an OpenAPI schema the refusals any operation of its kind can answer, each with
    the one body: 422 on every operation that takes input, 404 on every one whose path names
    a thing, 401 on every one that needs a token or a session, 403 on every such write (a
    session without its CSRF token)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorOut", ErrorOut.model_json_schema())
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            statuses = []
            parameters = operation.get("parameters", ())
            if parameters or operation.get("requestBody"):
                statuses.append(422)
            if any(parameter.get("in") == "path" for parameter in parameters):
                statuses.append(404)
            if operation.get("security"):
                statuses.append(401)
                if method in _UNSAFE_METHODS:
                    statuses.append(403)
            responses = operation.setdefault("responses", {})
            for status in statuses:
                responses[str(status)] = {
                    "description": _DESCRIPTIONS[status],
                    "content": _ERROR_CONTENT,
                }
