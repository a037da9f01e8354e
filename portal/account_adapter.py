"""django-allauth adapter: failed logins slow the guesser down and never lock the owner out.

allauth counts failed logins per IP address and per account (ACCOUNT_RATE_LIMITS
"login_failed": "10/m/ip,5/5m/key"), and by default its "key" is the account alone: five wrong
passwords from anyone, anywhere, locked the real owner out for five minutes. Here the key is
the IP address and the account together, so each address gets its own five tries an account
in any five minutes (a sliding window: the next try frees up as the oldest ages out) and ten
failed logins a minute in all, while the owner, from their own address, is not affected.

A refused try answers 429 with templates/429.html and Retry-After, instead of allauth's form
error under a 200. (Both limits count per address; IPv6 addresses per /64, as allauth's do.)

Sign-up asks for a display name, an email address and one password (portal.forms.SignupForm).
The display name goes into `first_name`, which every page, ticket, list and export shows; the
username, which nobody types and nobody sees while a display name exists, is made up from the
email address's local part (unique, with a random suffix if taken). Not from the display name:
that can change later, the address is what the person signs in with.
"""

import math
import time

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import user_email, user_username
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal import ratelimit
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

APP = "allauth.account"
ACTION = "login_failed"


def too_many_requests(request: HttpRequest, *, retry_after: int | None = None) -> HttpResponse:
    """The 429 page; with `retry_after` (seconds) it says when to try again."""
    minutes = math.ceil(retry_after / 60) if retry_after else None
    response = render(request, "429.html", {"retry_minutes": minutes}, status=429)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        if name := form.cleaned_data.get("name"):
            user.first_name = name
        return super().save_user(request, user, form, commit=commit)

    def populate_username(self, request: HttpRequest, user) -> None:
        if not user_username(user):
            user_username(user, self.generate_unique_username([user_email(user), "user"]))

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials) -> str:
        # allauth's own key is the account alone; see the module's docstring.
        account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{ratelimit.get_ip(request)}:{account}"

    def pre_authenticate(self, request: HttpRequest, **credentials) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as error:
            if error.code != "too_many_login_attempts":
                raise
            key = self._get_login_attempts_cache_key(request, **credentials)
            response = too_many_requests(request, retry_after=_seconds_until_allowed(request, key))
            # allauth's middleware answers with this response (from inside the login form).
            raise ImmediateHttpResponse(response) from None


def _seconds_until_allowed(request: HttpRequest, key: str) -> int:
    """When the exhausted limits each have a try free again: their oldest counted failure
    leaves the window (allauth keeps each window's timestamps, newest first)."""
    now = time.time()
    wait = 0.0
    for rate in ratelimit.get_rates(app=APP, action=ACTION):
        cache_key = ratelimit.get_cache_key(request, app=APP, action=ACTION, rate=rate, key=key)
        history = [t for t in cache.get(cache_key, []) if t > now - rate.duration]
        if len(history) >= rate.amount:
            wait = max(wait, history[rate.amount - 1] + rate.duration - now)
    return max(1, math.ceil(wait))
