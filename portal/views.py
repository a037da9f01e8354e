"""Friendly error pages that still use the site layout."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors or database here: whatever broke may break again.
    return HttpResponse(loader.get_template("500.html").render(), status=500)
