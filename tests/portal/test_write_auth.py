"""`write_auth` on a throw-away endpoint: token works without CSRF, a session needs CSRF."""

import pytest
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
from django.test import Client
from django.urls import path
from ninja import NinjaAPI

from portal.api_auth import write_auth
from portal.services import api_token_create

api = NinjaAPI(urls_namespace="write-auth-test")


@api.post("/whoami", auth=write_auth)
def whoami(request):
    return {"username": request.auth.username}


urlpatterns = [path("api/", api.urls)]


@pytest.fixture(autouse=True)
def _urls(settings):
    settings.ROOT_URLCONF = __name__


@pytest.mark.django_db
def test_write_auth_accepts_a_bearer_token_without_csrf(member):
    _token, raw = api_token_create(user=member, name="script")
    client = Client(enforce_csrf_checks=True)

    response = client.post("/api/whoami", headers={"Authorization": f"Bearer {raw}"})

    assert response.status_code == 200
    assert response.json() == {"username": member.username}


@pytest.mark.django_db
def test_write_auth_rejects_a_wrong_token(member):
    response = Client().post("/api/whoami", headers={"Authorization": "Bearer mp_wrong"})

    assert response.status_code == 401


@pytest.mark.django_db
def test_write_auth_refuses_a_session_without_csrf_token(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)

    response = client.post("/api/whoami")

    assert response.status_code == 403


@pytest.mark.django_db
def test_write_auth_accepts_a_session_with_csrf_token(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    response = client.post("/api/whoami", headers={"X-CSRFToken": _mask_cipher_secret(secret)})

    assert response.status_code == 200
    assert response.json() == {"username": member.username}


@pytest.mark.django_db
def test_write_auth_refuses_anonymous_requests():
    assert Client().post("/api/whoami").status_code == 401
