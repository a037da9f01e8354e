"""Account pages (profile, API tokens) and friendly error pages."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import services, time_zones
from .errors import ServiceError
from .forms import AccountDeleteForm, ApiTokenForm, DisplayNameForm, TimeZoneForm
from .models import ApiToken
from .personal_data import account_erase, personal_data_json
from .ratelimit import check_rate


def _profile_context(request: HttpRequest, **extra) -> dict:
    return {
        "profile_user": request.user,
        "tokens": list(ApiToken.objects.filter(user=request.user)),
        "token_form": ApiTokenForm(),
        "name_form": DisplayNameForm(instance=request.user),
        "time_zone_form": TimeZoneForm(
            initial={"time_zone": time_zones.profile_time_zone(user=request.user)}
        ),
        **extra,
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The profile page; its POST is the "Display name" form (what tickets, door lists,
    exports and Q&A show), answered with a redirect back here, or the page with the error next
    to the field (422)."""
    if request.method != "POST":
        return render(request, "account/profile.html", _profile_context(request))
    form = DisplayNameForm(request.POST, instance=request.user)
    if not form.is_valid():
        return render(
            request, "account/profile.html", _profile_context(request, name_form=form), status=422
        )
    user = form.save()
    messages.success(request, f"Your display name is now “{user.get_full_name()}”.")
    return redirect("profile")


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Creates a token and shows it once; the page is not cached and the token not stored."""
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return render(
            request, "account/profile.html", _profile_context(request, token_form=form), status=422
        )
    try:
        _token, raw = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
    except services.TokenLimitReached as exc:
        form.add_error(None, str(exc))
        return render(
            request, "account/profile.html", _profile_context(request, token_form=form), status=422
        )
    response = render(request, "account/profile.html", _profile_context(request, new_token=raw))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if services.api_token_revoke(user=request.user, token_id=token_id):
        messages.success(request, "The token was revoked.")
    else:
        messages.error(request, "No such token.")
    return redirect("profile")


@login_required
@require_POST
def time_zone_save(request: HttpRequest) -> HttpResponse:
    """The profile's "Your time zone" form; an unknown zone is shown next to the field (422)."""
    form = TimeZoneForm(request.POST)
    if form.is_valid():
        try:
            zone = time_zones.profile_time_zone_set(
                user=request.user, time_zone=form.cleaned_data["time_zone"], request=request
            )
        except ServiceError as error:
            form.add_error("time_zone", error.message)
        else:
            messages.success(
                request,
                f"Times are now also shown in {zone}."
                if zone
                else "Times are shown in the event's own zone only.",
            )
            return redirect("profile")
    context = _profile_context(request, time_zone_form=form)
    return render(request, "account/profile.html", context, status=422)


@login_required
@require_GET
def data_export(request: HttpRequest) -> HttpResponse:
    """Everything the portal holds about you, as a JSON download (rate "portal.export")."""
    check_rate(request, "portal.export")
    response = HttpResponse(
        personal_data_json(user=request.user), content_type="application/json; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.json"'
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    """The confirm page for deleting one's account; its POST, with the right password, erases
    the account (`portal.personal_data.account_erase`), signs out and goes home."""
    if request.method == "POST":
        check_rate(request, "portal.account_delete")
    form = AccountDeleteForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            account_erase(user=request.user)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            logout(request)
            messages.success(request, "Your account was deleted.")
            return redirect("home")
    status = 422 if form.errors else 200
    return render(request, "account/delete.html", {"form": form}, status=status)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)
