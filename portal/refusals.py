"""Pages' side of the one error contract (`portal.errors`): a ServiceError that a view did not
answer itself becomes a page with the refusal's status, or, for htmx, the message swapped into
the layout's messages region (base.html lets htmx swap 409, 422 and 429)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.http import reswap, retarget

from .errors import Kind, ServiceError


def refusal_response(request: HttpRequest, error: ServiceError) -> HttpResponse:
    if request.htmx:
        response = render(request, "refused.html#message", {"error": error}, status=error.status)
        return reswap(retarget(response, "#messages"), "innerHTML")
    if error.kind == Kind.NOT_FOUND:
        # The same page as any other missing page: nothing tells a stranger it exists.
        return render(request, "404.html", status=404)
    return render(request, "refused.html", {"error": error}, status=error.status)


class RefusalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, ServiceError):
            return refusal_response(request, exception)
        return None
