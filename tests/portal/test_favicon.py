"""/favicon.ico answers with the portal's icon instead of a 404 (browsers ask for it on any
page that names no icon, and log the 404 in the console)."""

import pytest
from django.test import Client

from tests import factories


@pytest.fixture
def client_(db):
    return Client()


def test_favicon_redirects_to_the_static_svg_with_a_day_of_cache(client_):
    """Guards the route itself: without it /favicon.ico is the portal's 404 page."""
    response = client_.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == "/static/img/favicon.svg"
    assert response["Cache-Control"] == "public, max-age=86400"


def test_favicon_target_is_the_svg_icon(client_):
    """Guards the redirect's target: a renamed or missing icon would turn it into a 404."""
    icon = client_.get("/favicon.ico", follow=True)

    assert icon.status_code == 200
    assert icon.redirect_chain == [("/static/img/favicon.svg", 302)]
    assert icon["Content-Type"] == "image/svg+xml"
    assert b"".join(icon.streaming_content).startswith(b"<svg ")


def test_favicon_is_cached_even_for_a_signed_in_person(db):
    """Guards the explicit Cache-Control: without it portal/middleware.py marks whatever a
    signed-in person gets `private, no-store`, and the browser asks again on every page."""
    client = Client()
    client.force_login(factories.make_user(username="mia"))

    assert client.get("/favicon.ico")["Cache-Control"] == "public, max-age=86400"
