"""The join code's pages: `/j/<code>` sends the room to the event's live page; `/j/` asks for
a code someone read off the screen (a plain GET form, no JavaScript)."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from portal.errors import ServiceError, not_found

from . import join, selectors


class JoinForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=join.MAX_CODE_LENGTH,
        help_text="The letters and digits shown on the screen, e.g. K7Q4.",
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}
        ),
    )


def _live_url(*, code: str, user) -> str:
    """The live page a code leads to, if `user` may see its event; NOT_FOUND otherwise."""
    event_id = join.event_id_for(code)
    if event_id is None:
        raise not_found("No event has this code.")
    event = selectors.event_get_live_by_id(event_id=event_id, user=user)
    return reverse("live:live_page", kwargs={"slug": event.slug})


@require_GET
def join_code(request: HttpRequest, code: str) -> HttpResponse:
    if len(code) > join.MAX_CODE_LENGTH:
        raise not_found("No event has this code.")
    return redirect(_live_url(code=code, user=request.user))


@require_GET
def join_form(request: HttpRequest) -> HttpResponse:
    form, status = JoinForm(request.GET if "code" in request.GET else None), 200
    if form.is_bound:
        status = 422
        if form.is_valid():
            try:
                return redirect(_live_url(code=form.cleaned_data["code"], user=request.user))
            except ServiceError:
                form.add_error("code", "No event has this code: check it against the screen.")
                status = 404
    return render(request, "live/join.html", {"form": form}, status=status)
