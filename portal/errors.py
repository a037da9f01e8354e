"""One way to say no: services raise `ServiceError` with a kind; the kind alone decides the
answer on every route — a page's status, the API's status and body, a websocket's close code.

Views catch it where they can show the message next to what was refused (a form field, a
panel); anything they let through is answered by `portal.refusals` (pages) or the NinjaAPI's
handler (`portal.api`), so no route invents its own status for the same refusal.
"""

from enum import StrEnum


class Kind(StrEnum):
    INVALID = "invalid"  # the request breaks a rule about its content
    NOT_FOUND = "not_found"  # no such thing, or not one this person may know exists
    FORBIDDEN = "forbidden"  # this person may not do this
    CONFLICT = "conflict"  # the thing's state does not allow it now (closed, over, used)
    RATE_LIMITED = "rate_limited"  # too many of this action; try again later


STATUS = {
    Kind.INVALID: 422,
    Kind.NOT_FOUND: 404,
    Kind.FORBIDDEN: 403,
    Kind.CONFLICT: 409,
    Kind.RATE_LIMITED: 429,
}


class ServiceError(Exception):
    """A request the rules refuse. `message` is safe to show the person; `field` names the
    form field it is about, if any."""

    def __init__(self, message: str, *, kind: Kind = Kind.INVALID, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.kind = Kind(kind)
        self.field = field

    @property
    def status(self) -> int:
        """The HTTP status of this refusal, for pages and the API alike."""
        return STATUS[self.kind]

    @property
    def close_code(self) -> int:
        """The websocket close code: 4000 plus the HTTP status (4403, 4404, ...)."""
        return 4000 + self.status

    def as_body(self) -> dict:
        """The API's error body (schema `portal.api_errors.ErrorOut`)."""
        return {"detail": self.message, "kind": str(self.kind), "field": self.field}


def not_found(message: str = "Not found.") -> ServiceError:
    return ServiceError(message, kind=Kind.NOT_FOUND)


def get_or_not_found(queryset, message: str = "Not found.", **lookup):
    """`get_object_or_404` in the one contract: the row, or a NOT_FOUND refusal."""
    found = queryset.filter(**lookup).first()
    if found is None:
        raise not_found(message)
    return found


def forbidden(message: str) -> ServiceError:
    return ServiceError(message, kind=Kind.FORBIDDEN)


def conflict(message: str, *, field: str | None = None) -> ServiceError:
    return ServiceError(message, kind=Kind.CONFLICT, field=field)


def invalid(message: str, *, field: str | None = None) -> ServiceError:
    return ServiceError(message, kind=Kind.INVALID, field=field)
