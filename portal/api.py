"""The one NinjaAPI. Each app contributes a router from its own `api.py`.

Routers let a service's ServiceError through; the handlers below answer it, and every refusal
ninja makes itself (a request that fails validation, a missing token, a failed CSRF check), with
the status of its kind and the one error body (`portal.api_errors.ErrorOut`), the same on every
route. The schema declares those bodies on every operation that can answer them, so a client
(and the fuzzer in tests/api/) can rely on the one shape.
"""

from django.http import Http404, HttpRequest
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from cfp.api import router as cfp_router
from feedback.api import router as feedback_router
from live.api import router as live_router
from meetups.api import router as meetups_router
from members.api import router as members_router
from notify.api import router as notify_router
from organise.api import router as organise_router
from rsvp.api import router as rsvp_router

from .api_errors import declare_refusals, validation_error_body
from .errors import STATUS, ServiceError, invalid, not_found
from .your_data_api import router as your_data_router

KIND_OF_STATUS = {status: str(kind) for kind, status in STATUS.items()}


class PortalAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        declare_refusals(schema)
        return schema


api = PortalAPI(
    title="Meetup portal API",
    version="1",
    description="Events, talks and speakers; RSVPs, check-in and live Q&A.",
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(ServiceError)
def service_error(request: HttpRequest, error: ServiceError):
    return api.create_response(request, error.as_body(), status=error.status)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, error: ValidationError):
    # ninja's own body is {"detail": [pydantic errors]}; ours names the first field in words.
    return api.create_response(request, validation_error_body(error.errors), status=422)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, error: HttpError):
    # ninja's own refusals: 401 (no valid token or session), 403 (CSRF check failed), and 400
    # for a body that does not parse, which is invalid content like any other (422).
    if error.status_code == 400:
        return api.create_response(
            request, invalid("The request body is not valid JSON.").as_body(), status=422
        )
    body = {"detail": str(error), "kind": KIND_OF_STATUS.get(error.status_code), "field": None}
    return api.create_response(request, body, status=error.status_code)


@api.exception_handler(MultiPartParserError)
def multipart_error(request: HttpRequest, error: MultiPartParserError):
    # A file upload (a talk's slides) whose multipart body does not parse: invalid content,
    # answered like any other instead of Django's logged 400.
    return api.create_response(
        request, invalid("The multipart body could not be read.").as_body(), status=422
    )


@api.exception_handler(Http404)
def not_found_error(request: HttpRequest, error: Http404):
    # get_object_or_404 in a selector: the same body as a NOT_FOUND ServiceError.
    return api.create_response(request, not_found().as_body(), status=404)


api.add_router("/", meetups_router)
api.add_router("/", rsvp_router)
api.add_router("/", live_router)
api.add_router("/", members_router)
api.add_router("/", cfp_router)
api.add_router("/", organise_router)
api.add_router("/", notify_router)
api.add_router("/", feedback_router)
api.add_router("/", your_data_router)
