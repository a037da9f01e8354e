"""The viewer's own time zone: a profile setting, shown next to an event's time where it differs.

Pages show an event's time in the event's zone. A signed-in person who chose a zone on their
profile also sees the time in theirs, rendered by the server; anyone else's browser adds its
own zone's time (portal/static/portal/local_time.js), and without JavaScript the event's zone
is all there is.

The chosen zone travels in the session (copied there at login and on save), so pages that show
many events add no query for it.
"""

import zoneinfo
from functools import cache

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from .errors import invalid
from .models import Profile

SESSION_KEY = "portal_time_zone"
MAX_LENGTH = 64


@cache
def available() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@cache
def choices() -> list[tuple[str, str]]:
    """For a select: "" (none) first, then every IANA zone, sorted, with "_" shown as spaces."""
    return [("", "Only the event's own time zone")] + [
        (name, name.replace("_", " ")) for name in sorted(available())
    ]


def validate_time_zone(value: str) -> str:
    """`value` stripped, if it is "" or an IANA zone name this machine knows; else refused."""
    value = (value or "").strip()
    if value and (len(value) > MAX_LENGTH or value not in available()):
        raise invalid("Choose a time zone from the list.", field="time_zone")
    return value


def profile_time_zone(*, user: AbstractBaseUser) -> str:
    return Profile.objects.filter(user=user).values_list("time_zone", flat=True).first() or ""


def profile_time_zone_set(
    *, user: AbstractBaseUser, time_zone: str, request: HttpRequest | None = None
) -> str:
    """Saves the person's zone ("" for none); with `request`, this session shows it at once."""
    time_zone = validate_time_zone(time_zone)
    Profile.objects.update_or_create(user=user, defaults={"time_zone": time_zone})
    if request is not None:
        request.session[SESSION_KEY] = time_zone
    return time_zone


def viewer_time_zone(request: HttpRequest | None) -> str:
    """The signed-in viewer's chosen zone, or "" (anonymous, none chosen, or no request)."""
    if request is None or not getattr(request, "user", None) or not request.user.is_authenticated:
        return ""
    if SESSION_KEY not in request.session:
        # A session from before the setting existed: read it once.
        request.session[SESSION_KEY] = profile_time_zone(user=request.user)
    value = request.session[SESSION_KEY]
    return value if value in available() else ""


@receiver(user_logged_in, dispatch_uid="portal.time_zones.copy_to_session")
def _copy_to_session(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = profile_time_zone(user=user)
