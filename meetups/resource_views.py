"""A talk's slides and links: the page where its speakers and organisers attach them, the
writes (plain forms, a redirect after each), and the PDF download with safe headers.

Who may edit is `meetups.rules.can_edit_talk_resources`, asked by the selector (anyone else:
404); the services check it again. Every form works without JavaScript.
"""

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from portal.errors import ServiceError, not_found
from portal.http import htmx_redirect, login_required
from portal.ratelimit import check_rate

from . import selectors, services
from .forms import TalkLinkForm, TalkResourceDeleteForm, TalkSlidesForm
from .models import Talk


def _page(
    request: HttpRequest,
    talk: Talk,
    *,
    link_form: forms.Form | None = None,
    slides_form: forms.Form | None = None,
    delete_error: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "meetups/talk_resources.html",
        {
            "talk": talk,
            "event": talk.event,
            "resources": selectors.talk_resource_list(talk=talk),
            "link_form": link_form or TalkLinkForm(),
            "slides_form": slides_form or TalkSlidesForm(),
            "delete_error": delete_error,
        },
        status=status,
    )


def _show_refusal(form: forms.Form, error: ServiceError) -> int:
    """The refusal next to its field (or above the form), and the status to answer with."""
    form.add_error(error.field if error.field in form.fields else None, error.message)
    return error.status


def _back(request: HttpRequest, talk: Talk, message: str) -> HttpResponse:
    messages.success(request, message)
    return htmx_redirect(request, reverse("meetups:talk_resources", kwargs={"slug": talk.slug}))


@require_GET
@login_required
def talk_resources(request: HttpRequest, slug: str) -> HttpResponse:
    talk = selectors.talk_get_for_resources(slug=slug, user=request.user)
    return _page(request, talk)


@require_POST
@login_required
def talk_link_add(request: HttpRequest, slug: str) -> HttpResponse:
    talk = selectors.talk_get_for_resources(slug=slug, user=request.user)
    check_rate(request, "meetups.link_add")
    form, status = TalkLinkForm(request.POST), 422
    if form.is_valid():
        try:
            services.talk_link_add(user=request.user, talk=talk, **form.cleaned_data)
        except ServiceError as error:
            status = _show_refusal(form, error)
        else:
            return _back(request, talk, "The link is added to the talk.")
    return _page(request, talk, link_form=form, status=status)


@require_POST
@login_required
def talk_slides_upload(request: HttpRequest, slug: str) -> HttpResponse:
    talk = selectors.talk_get_for_resources(slug=slug, user=request.user)
    check_rate(request, "meetups.slides_upload")
    form, status = TalkSlidesForm(request.POST, request.FILES), 422
    if form.is_valid():
        try:
            services.talk_slides_upload(
                user=request.user,
                talk=talk,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            )
        except ServiceError as error:
            status = _show_refusal(form, error)
        else:
            return _back(request, talk, "The slides are added to the talk.")
    return _page(request, talk, slides_form=form, status=status)


@require_POST
@login_required
def talk_resource_delete(request: HttpRequest, slug: str) -> HttpResponse:
    talk = selectors.talk_get_for_resources(slug=slug, user=request.user)
    check_rate(request, "meetups.resource_delete")
    form = TalkResourceDeleteForm(request.POST)
    if not form.is_valid():
        return _page(request, talk, delete_error="Choose what to remove.", status=422)
    try:
        services.talk_resource_delete(
            user=request.user, talk=talk, resource_id=form.cleaned_data["resource"]
        )
    except ServiceError as error:
        return _page(request, talk, delete_error=error.message, status=error.status)
    return _back(request, talk, "Removed from the talk.")


@require_GET
def talk_resource_file(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """The PDF, always as a download under its sanitised name: never sniffed, never rendered
    in the portal's origin (a sandbox CSP, should a browser display it anyway)."""
    resource = selectors.talk_resource_file_get(slug=slug, resource_id=pk, user=request.user)
    try:
        handle = resource.file.open("rb")
    except FileNotFoundError as error:
        raise not_found("No such file.") from error
    response = FileResponse(handle, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, resource.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
