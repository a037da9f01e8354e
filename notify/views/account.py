"""A member's email preferences, and the unsubscribe link that needs no login."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from meetups.models import Group
from portal.errors import ServiceError
from portal.http import announce, htmx_redirect, login_required
from portal.ratelimit import check_rate

from .. import selectors, services
from ..forms import GroupPreferencesForm
from ..selectors import GroupPreferences
from ..unsubscribe import unsubscribe_link_read

T = "notify/"


def _entry(prefs: GroupPreferences, data=None) -> GroupPreferences:
    prefs.form = GroupPreferencesForm(data, prefix=prefs.group.slug, initial=prefs.choices)
    return prefs


@login_required
@require_http_methods(["GET", "HEAD"])
def preferences(request: HttpRequest) -> HttpResponse:
    """Every group the person belongs to (or chose something for), one form per group."""
    entries = [_entry(prefs) for prefs in selectors.preferences_of(user=request.user)]
    return render(request, T + "preferences.html", {"entries": entries})


@login_required
@require_POST
def preferences_update(request: HttpRequest, group: str) -> HttpResponse:
    """Save one group's categories; htmx gets that group's form back, a browser a redirect."""
    chosen = get_object_or_404(Group, slug=group)
    form = GroupPreferencesForm(request.POST, prefix=chosen.slug)
    try:
        check_rate(request, "notify.preferences")
        if not form.is_valid():  # pragma: no cover - checkboxes accept anything
            raise ServiceError("Those choices could not be read.")
        services.preferences_update(user=request.user, group=chosen, choices=form.cleaned_data)
    except ServiceError as error:
        if not request.htmx:
            raise
        entry = _entry(selectors.group_preferences(user=request.user, group=chosen), request.POST)
        entry.error = error.message
        return render(request, T + "preferences.html#group", {"entry": entry}, status=error.status)
    if request.htmx:
        entry = _entry(selectors.group_preferences(user=request.user, group=chosen))
        entry.saved = True
        response = render(request, T + "preferences.html#group", {"entry": entry})
        return announce(response, f"Saved your email choices for {chosen.name}.")
    messages.success(request, f"Saved your email choices for {chosen.name}.")
    return htmx_redirect(request, reverse("notify:preferences"))


@csrf_exempt  # The signed token is the permission; RFC 8058 mail clients POST without a cookie.
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (mail scanners fetch links: a GET changes nothing); POST, from the
    confirm button or a mail client's one-click (`List-Unsubscribe=One-Click`), turns the
    category off. A token that is not valid, altered or expired answers 400."""
    link = unsubscribe_link_read(token)
    if link is None:
        return render(request, T + "unsubscribe_invalid.html", status=400)
    done = request.method == "POST"
    if done:
        services.unsubscribe_confirm(link=link)
    return render(request, T + "unsubscribe.html", {"link": link, "done": done})
