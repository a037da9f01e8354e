"""Account pages (profile, API tokens) and friendly error pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .forms import ApiTokenForm, DisplayNameForm
from .models import ApiToken


def _profile_context(request: HttpRequest, **extra) -> dict:
    return {
        "profile_user": request.user,
        "tokens": list(ApiToken.objects.filter(user=request.user)),
        "token_form": ApiTokenForm(),
        "name_form": DisplayNameForm(instance=request.user),
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


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)
