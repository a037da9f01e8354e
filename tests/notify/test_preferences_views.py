"""The preferences page (plain form and htmx) and the preferences / announcements API."""

import json

import pytest
from django.core import mail
from django.urls import reverse

from notify.models import Announcement, Preference
from notify.preferences import wants
from notify.services import preference_set
from tests import factories

from .conftest import join

PAGE = "/accounts/email-preferences/"


def _update_url(group):
    return reverse("notify:preferences_update", kwargs={"group": group.slug})


def test_page_lists_member_groups_with_current_choices(
    client, member, group, django_assert_num_queries
):
    join(group, member)
    preference_set(user=member, group=group, category="recaps", enabled=False)
    for _ in range(3):
        join(factories.make_group(), member)
    client.force_login(member)
    client.get(PAGE)
    with django_assert_num_queries(6):
        response = client.get(PAGE)
    assert response.status_code == 200
    assert len(response.context["entries"]) == 4
    body = response.content.decode()
    prefix = group.slug
    assert f'name="{prefix}-events" id="id_{prefix}-events" checked' in body
    assert f'name="{prefix}-recaps" id="id_{prefix}-recaps">' in body


def test_page_needs_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={PAGE.replace('/', '%2F')}"


def test_plain_form_post_saves_and_redirects(client, member, group):
    join(group, member)
    client.force_login(member)
    response = client.post(
        _update_url(group), {f"{group.slug}-events": "on", f"{group.slug}-reminders": "on"}
    )
    assert response.status_code == 302
    assert response["Location"] == PAGE
    assert wants(user=member, group=group, category="events") is True
    assert wants(user=member, group=group, category="announcements") is False
    assert wants(user=member, group=group, category="recaps") is False
    assert sorted(Preference.objects.values_list("category", flat=True)) == [
        "announcements",
        "recaps",
    ]


def test_htmx_post_answers_the_group_fragment(client, member, group):
    join(group, member)
    client.force_login(member)
    response = client.post(
        _update_url(group), {f"{group.slug}-events": "on"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<section id="prefs-{group.slug}"')
    assert '<p class="text-sm text-brand-800" data-saved>Saved.</p>' in body
    assert json.loads(response["HX-Trigger"]) == {
        "announce": {"message": f"Saved your email choices for {group.name}."}
    }


def test_update_unknown_group_404(client, member):
    client.force_login(member)
    assert client.post("/accounts/email-preferences/nope/", {}).status_code == 404


def test_update_rate_limited(client, member, group, settings, stopped_clock):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "notify.preferences": "2/m"}
    client.force_login(member)
    assert client.post(_update_url(group), {}).status_code == 302
    assert client.post(_update_url(group), {}).status_code == 302
    response = client.post(_update_url(group), {}, headers={"HX-Request": "true"})
    assert response.status_code == 429
    assert "You are going a little fast" in response.content.decode()


# API


def test_api_preferences_get_and_put(client, member, group):
    join(group, member)
    client.force_login(member)
    response = client.get("/api/me/email-preferences")
    assert response.status_code == 200
    assert response.json() == [
        {
            "group": group.slug,
            "group_name": group.name,
            "is_member": True,
            "events": True,
            "reminders": True,
            "announcements": True,
            "recaps": True,
        }
    ]
    response = client.put(
        f"/api/me/email-preferences/{group.slug}",
        {"reminders": False},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["reminders"] is False
    assert response.json()["events"] is True
    assert wants(user=member, group=group, category="reminders") is False


def test_api_preferences_put_unknown_group_404(client, member):
    client.force_login(member)
    response = client.put(
        "/api/me/email-preferences/nope", {"events": False}, content_type="application/json"
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "kind": "not_found", "field": None}


def test_api_preferences_anonymous_401(client):
    assert client.get("/api/me/email-preferences").status_code == 401


@pytest.fixture
def api_organiser(client, organiser):
    client.force_login(organiser)
    return client


def test_api_announcement_preview_then_send(api_organiser, group, members):
    url = f"/api/organise/{group.slug}/announcements"
    payload = {"subject": "Hello", "body": "Be *there*.", "preview": True}
    response = api_organiser.post(url, payload, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {
        "subject": "Hello",
        "body_html": "<p>Be <em>there</em>.</p>",
        "recipient_count": 3,
    }
    assert Announcement.objects.count() == 0
    response = api_organiser.post(
        url, {**payload, "preview": False}, content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["subject"], body["status"], body["recipient_count"], body["sender"]) == (
        "Hello",
        "sent",
        3,
        "organiser",
    )
    assert len(mail.outbox) == 3
    listed = api_organiser.get(url)
    assert listed.status_code == 200
    assert [a["id"] for a in listed.json()["items"]] == [body["id"]]


def test_api_announcements_refuse_strangers_404(client, group, members):
    client.force_login(members[0])
    url = f"/api/organise/{group.slug}/announcements"
    assert client.get(url).status_code == 404
    response = client.post(url, {"subject": "s", "body": "b"}, content_type="application/json")
    assert response.status_code == 404
    assert Announcement.objects.count() == 0


def test_api_announcement_invalid_422(api_organiser, group, members):
    response = api_organiser.post(
        f"/api/organise/{group.slug}/announcements",
        {"subject": "a\nb", "body": "b"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["field"] == "subject"
