"""Your data: who may download and delete, over the pages and the API, and the limits."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import ApiToken
from portal.personal_data import DELETED_MEMBER_NAME, personal_data_export
from portal.services import api_token_create
from tests import factories

API_DATA = "/api/me/data"
API_DELETE = "/api/me/delete"


@pytest.fixture
def member_token(member):
    _token, raw = api_token_create(user=member, name="script")
    return raw


def _bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}


# --- pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["data_export", "account_delete"])
def test_pages_send_visitors_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={reverse(name)}"


def test_export_is_only_ones_own(client, member, organiser):
    client.force_login(member)
    data = json.loads(client.get(reverse("data_export")).content)
    assert data["sections"]["account"]["username"] == "member"
    assert "organiser@example.com" not in json.dumps(data)
    assert "member@example.com" in json.dumps(data)


def test_export_is_stable_apart_from_its_time(member):
    first, second = personal_data_export(user=member), personal_data_export(user=member)
    first.pop("exported_at"), second.pop("exported_at")
    assert first == second
    assert first["format"] == 1


def test_export_is_rate_limited(client, member, settings, stopped_clock):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "portal.export": "2/h"}
    client.force_login(member)
    statuses = [client.get(reverse("data_export")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_delete_page_asks_for_the_password(client, member):
    client.force_login(member)
    response = client.get(reverse("account_delete"))
    assert response.status_code == 200
    assert response.context["form"].fields["password"].widget.input_type == "password"
    member.refresh_from_db()
    assert member.is_active is True


def test_delete_without_csrf_token_is_refused(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(reverse("account_delete"), {"password": factories.PASSWORD})
    assert response.status_code == 403
    member.refresh_from_db()
    assert (member.is_active, member.email) == (True, "member@example.com")


def test_delete_attempts_are_rate_limited(client, member, settings, stopped_clock):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "portal.account_delete": "2/h"}
    client.force_login(member)
    statuses = [
        client.post(reverse("account_delete"), {"password": "guess"}).status_code for _ in range(2)
    ]
    last = client.post(reverse("account_delete"), {"password": factories.PASSWORD})
    assert [*statuses, last.status_code] == [422, 422, 429]
    member.refresh_from_db()
    assert member.is_active is True


def test_profile_shows_the_data_section(client, member):
    client.force_login(member)
    html = client.get(reverse("profile")).content.decode()
    assert f'href="{reverse("data_export")}" download>Download my data</a>' in html
    assert f'href="{reverse("account_delete")}">Delete my account…</a>' in html


# --- API --------------------------------------------------------------------------------------


def test_api_export_with_a_token(client, member, member_token):
    response = client.get(API_DATA, headers=_bearer(member_token))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    sections = json.loads(response.content)["sections"]
    assert sections["account"]["email"] == "member@example.com"
    assert [t["name"] for t in sections["api_tokens"]] == ["script"]


def test_api_export_needs_authentication(client, db):
    response = client.get(API_DATA)
    assert response.status_code == 401
    assert json.loads(response.content)["detail"] == "Unauthorized"


def test_api_delete_with_the_password(client, member, member_token):
    response = client.post(
        API_DELETE,
        {"password": factories.PASSWORD},
        content_type="application/json",
        headers=_bearer(member_token),
    )
    assert response.status_code == 204
    member.refresh_from_db()
    assert (member.is_active, member.get_full_name(), member.email) == (
        False,
        DELETED_MEMBER_NAME,
        "",
    )
    assert ApiToken.objects.count() == 0
    # The token went with the account.
    assert client.get(API_DATA, headers=_bearer(member_token)).status_code == 401


def test_api_delete_with_a_wrong_password(client, member, member_token):
    response = client.post(
        API_DELETE,
        {"password": "nope"},
        content_type="application/json",
        headers=_bearer(member_token),
    )
    assert response.status_code == 422
    assert json.loads(response.content) == {
        "detail": "That is not your password.",
        "kind": "invalid",
        "field": "password",
    }
    member.refresh_from_db()
    assert member.is_active is True


def test_api_delete_by_session_needs_csrf(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(
        API_DELETE, {"password": factories.PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.is_active is True


def test_api_delete_needs_authentication(client, member):
    response = client.post(
        API_DELETE, {"password": factories.PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 401
    member.refresh_from_db()
    assert member.is_active is True
