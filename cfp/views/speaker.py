"""The speaker's own profile (name, bio, links, photo) and the photo as served to everyone."""

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from portal.errors import ServiceError, not_found
from portal.http import htmx_redirect, login_required, safe_next
from portal.people import display_name

from .. import selectors, services
from ..forms import SpeakerProfileForm
from ._common import show_refusal


@require_http_methods(["GET", "POST"])
@login_required
def speaker_profile(request: HttpRequest) -> HttpResponse:
    speaker = selectors.speaker_get_mine(user=request.user)
    # Where the speaker came from (a proposal form keeping their draft), if on this site.
    back = safe_next(request, "")
    if request.method == "POST":
        form, status = SpeakerProfileForm(request.POST, request.FILES), 422
        if form.is_valid():
            try:
                services.speaker_profile_save(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    bio=form.cleaned_data["bio"],
                    links=form.links(),
                    photo=form.cleaned_data["photo"] or None,
                    remove_photo=form.cleaned_data["remove_photo"],
                )
            except ServiceError as error:
                status = show_refusal(form, error)
            else:
                messages.success(request, "Your speaker profile is saved.")
                return htmx_redirect(request, safe_next(request, reverse("cfp:speaker_profile")))
        template = "cfp/speaker_profile.html" + ("#profile-form" if request.htmx else "")
        context = {"form": form, "speaker": speaker, "back": back}
        return render(request, template, context, status=status)
    initial = SpeakerProfileForm.initial_for(speaker)
    if not initial:
        initial = {"name": display_name(request.user)}
    return render(
        request,
        "cfp/speaker_profile.html",
        {"form": SpeakerProfileForm(initial=initial), "speaker": speaker, "back": back},
    )


@require_GET
def speaker_photo(request: HttpRequest, slug: str) -> FileResponse:
    """The photo with the type found when it was uploaded; never sniffed or rendered as HTML."""
    speaker = selectors.speaker_get(slug=slug)
    if not speaker.photo or not speaker.photo_content_type:
        raise not_found("No photo.")
    try:
        handle = speaker.photo.open("rb")
    except FileNotFoundError as error:
        raise not_found("No photo.") from error
    response = FileResponse(handle, content_type=speaker.photo_content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=3600"
    return response
