"""One-click unsubscribe: signed links, RFC 8058 headers, GET confirms, POST unsubscribes."""

from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse

from notify.models import Preference
from notify.preferences import wants
from notify.unsubscribe import (
    SALT,
    unsubscribe_headers,
    unsubscribe_link_read,
    unsubscribe_token,
    unsubscribe_url,
)
from tests import factories


@pytest.fixture
def token(group, member):
    return unsubscribe_token(user=member, group=group, category="announcements")


def _path(token: str) -> str:
    return reverse("notify:unsubscribe", kwargs={"token": token})


def test_unsubscribe_url_and_headers(group, member, settings, stopped_clock):
    settings.SITE_URL = "https://portal.example"
    url = unsubscribe_url(user=member, group=group, category="events")
    token = unsubscribe_token(user=member, group=group, category="events")
    assert url == f"https://portal.example/u/{token}/"
    assert unsubscribe_headers(user=member, group=group, category="events") == {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    link = unsubscribe_link_read(token)
    assert (link.user, link.group, link.category) == (member, group, "events")


def test_unsubscribe_token_unknown_category_is_a_bug(group, member):
    with pytest.raises(ValueError, match="unknown email category"):
        unsubscribe_token(user=member, group=group, category="spam")


def test_unsubscribe_link_tampered_or_foreign_is_refused(group, member, token):
    other = factories.make_user()
    assert unsubscribe_link_read(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    forged_payload = signing.dumps([other.pk, group.pk, "announcements"], salt="another.purpose")
    assert unsubscribe_link_read(forged_payload) is None
    _payload, _, signature = token.partition(":")
    swapped = signing.dumps([other.pk, group.pk, "announcements"], salt=SALT).partition(":")[0]
    assert unsubscribe_link_read(f"{swapped}:{signature}") is None
    assert unsubscribe_link_read("x" * 201) is None
    assert unsubscribe_link_read(signing.dumps({"u": member.pk}, salt=SALT)) is None
    assert unsubscribe_link_read(signing.dumps([True, group.pk, "events"], salt=SALT)) is None
    assert unsubscribe_link_read(signing.dumps([member.pk, group.pk, "spam"], salt=SALT)) is None


def test_unsubscribe_link_expires(group, member, settings):
    settings.NOTIFY_UNSUBSCRIBE_MAX_AGE_DAYS = 30
    with time_machine.travel("2030-01-01 00:00Z", tick=False) as clock:
        token = unsubscribe_token(user=member, group=group, category="events")
        clock.shift(timedelta(days=29, hours=23))
        assert unsubscribe_link_read(token) is not None
        clock.shift(timedelta(hours=2))
        assert unsubscribe_link_read(token) is None


def test_unsubscribe_link_of_a_deleted_or_inactive_person_is_refused(group, member, token):
    member.is_active = False
    member.save()
    assert unsubscribe_link_read(token) is None
    member.delete()
    assert unsubscribe_link_read(token) is None


def test_unsubscribe_get_only_asks_to_confirm(client, group, member, token):
    response = client.get(_path(token))
    assert response.status_code == 200
    assert response.templates[0].name == "notify/unsubscribe.html"
    assert response.context["done"] is False
    body = response.content.decode()
    assert f"Stop announcements from the organisers from {group.name}?" in body
    assert f'<form method="post" action="{_path(token)}">' in body
    assert Preference.objects.count() == 0
    assert wants(user=member, group=group, category="announcements") is True


def test_unsubscribe_one_click_post_without_login_or_csrf(group, member, token):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        _path(token),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert response.context["done"] is True
    assert wants(user=member, group=group, category="announcements") is False
    assert wants(user=member, group=group, category="events") is True
    # Again: still off, still 200 (mail clients may retry).
    assert client.post(_path(token)).status_code == 200
    assert list(Preference.objects.values_list("user", "group", "category", "enabled")) == [
        (member.pk, group.pk, "announcements", False)
    ]


@pytest.mark.parametrize("method", ["get", "post"])
def test_unsubscribe_bad_token_answers_400(client, group, member, token, method):
    response = getattr(client, method)(_path(token + "x"))
    assert response.status_code == 400
    assert "This unsubscribe link is not valid" in response.content.decode()
    assert Preference.objects.count() == 0


def test_unsubscribe_other_methods_refused(client, token):
    assert client.put(_path(token)).status_code == 405
