"""Links into the organiser area, as template tags (registered in templatetags/organise.py).

The permission is decided here, in Python, with the same predicate the views use, so a
template never shows an organiser link on the strength of an `{% if %}` alone.
"""

from django.urls import reverse

from meetups.rules import is_group_organiser

from .receivers import NAV_SESSION_KEY


def organise_event_url(context, event) -> str:
    """The event's dashboard URL for its organisers; "" for everyone else."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    # The login-time flag spares members the membership query on every event page.
    if not (user.is_staff or request.session.get(NAV_SESSION_KEY)):
        return ""
    if not is_group_organiser(user, event):
        return ""
    return reverse("organise:dashboard", kwargs={"group": event.group.slug, "event": event.slug})


def organise_nav_url(context) -> str:
    """The organiser area's URL for organisers (noted in the session at login); else ""."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    if not request.session.get(NAV_SESSION_KEY):
        return ""
    return reverse("organise:index")
