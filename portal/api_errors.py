"""The API's one error body, for every refusal on every route (see `portal.errors`)."""

from ninja import Schema

from .errors import STATUS


class ErrorOut(Schema):
    detail: str
    kind: str | None = None
    field: str | None = None


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """`response={200: Out, **error_responses(404, 409)}`: the statuses a route may refuse
    with, all with the same body. Default: every status a ServiceError can have."""
    return {status: ErrorOut for status in (statuses or sorted(set(STATUS.values())))}
