"""The one NinjaAPI. Each app contributes a router from its own `api.py`.

Routers let a service's ServiceError through; the handler below answers it with the status of
its kind and the one error body (`portal.api_errors.ErrorOut`), the same on every route.
"""

from django.http import HttpRequest
from ninja import NinjaAPI

from cfp.api import router as cfp_router
from live.api import router as live_router
from meetups.api import router as meetups_router
from organise.api import router as organise_router
from rsvp.api import router as rsvp_router

from .errors import ServiceError

api = NinjaAPI(
    title="Meetup portal API",
    version="1",
    description="Events, talks and speakers; RSVPs, check-in and live Q&A.",
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(ServiceError)
def service_error(request: HttpRequest, error: ServiceError):
    return api.create_response(request, error.as_body(), status=error.status)


api.add_router("/", meetups_router)
api.add_router("/", rsvp_router)
api.add_router("/", live_router)
api.add_router("/", cfp_router)
api.add_router("/", organise_router)
