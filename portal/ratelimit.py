"""The rate-limit policy: one budget per action and person, whatever the route or method.

An action ("cfp.vote", "rsvp.write", ...) is named once in `settings.RATE_LIMITS` with its
rate; the page, its htmx variant and the API all call `check_rate` with that name, so adding a
vote through the API and removing it through a page spend the same budget. Counted per user
when signed in (API tokens included), else per IP address (django-ratelimit's `user_or_ip`).
"""

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

from .errors import Kind, ServiceError

_PERIODS = {"s": "a second", "m": "a minute", "h": "an hour", "d": "a day"}


def _describe(rate: str) -> tuple[str, str]:
    """'20/h' -> ('20 times an hour', 'an hour')."""
    count, _, period = rate.partition("/")
    per = _PERIODS.get(period[-1:], "a minute")
    return f"{count} {'time' if count == '1' else 'times'} {per}", per


def check_rate(request: HttpRequest, action: str) -> None:
    """Count one `action` for this person; past its rate raise a RATE_LIMITED ServiceError."""
    rate = settings.RATE_LIMITS[action]
    if is_ratelimited(request, group=action, key="user_or_ip", rate=rate, increment=True):
        times, per = _describe(rate)
        raise ServiceError(
            f"You are going a little fast: this can be done {times}. Please wait {per} and "
            "try again.",
            kind=Kind.RATE_LIMITED,
        )
