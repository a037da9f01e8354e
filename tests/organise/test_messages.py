"""Message attendees: a preview first, then one email each, and a record of what was sent."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from organise.models import AttendeeMessage
from tests import factories
from tests.organise.data import build_world, rsvp

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Rate-limit counters live in the cache, keyed by user id, and ids repeat between tests.
    cache.clear()


URL = reverse("organise:message", kwargs={"group": "sydjango", "event": "november"})
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_message_preview_shows_recipients_and_sends_nothing(client):
    w = build_world()
    client.force_login(w.owner)
    response = client.post(
        URL,
        {"step": "preview", "audience": "going", "subject": "Doors", "body": "Level 5."},
        **HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "To: <strong>Going</strong>, 1 person, each in their own email." in body
    assert "[Sydney Django] Doors" in body
    assert (len(mail.outbox), AttendeeMessage.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        ("going", ["checked@example.com", "member@example.com"]),
        ("waitlisted", ["speaker@example.com"]),
        ("checked_in", ["checked@example.com", "member@example.com"]),
    ],
)
def test_message_send_reaches_the_audience_one_email_each(
    client, django_capture_on_commit_callbacks, audience, expected
):
    w = build_world()
    w.event.capacity = 10
    w.event.save()
    rsvp(w.event, factories.make_user(username="checked"), checked_in=True)
    rsvp(w.event, factories.make_user(username="notyet"), status="cancelled")
    client.force_login(w.co_organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL, {"step": "send", "audience": audience, "subject": "Doors", "body": "Level 5."}
        )
    record = AttendeeMessage.objects.get()
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == expected
    assert [len(m.to) for m in mail.outbox] == [1] * len(expected)
    assert mail.outbox[0].subject == "[Sydney Django] Doors"
    assert "Level 5." in mail.outbox[0].body
    assert (record.sender, record.audience, record.subject, record.recipient_count) == (
        w.co_organiser,
        audience,
        "Doors",
        len(expected),
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"audience": "everyone", "subject": "Hi", "body": "x"},
         "Select a valid choice. everyone is not one of the available choices."),
        ({"audience": "going", "subject": "", "body": "x"}, "This field is required."),
        ({"audience": "going", "subject": "Hi", "body": ""}, "This field is required."),
        ({"audience": "going", "subject": "Hi", "body": "x" * 5001},
         "Ensure this value has at most 5000 characters (it has 5001)."),
    ],
)  # fmt: skip
def test_message_send_rejects_bad_input_and_sends_nothing(
    client, django_capture_on_commit_callbacks, data, message
):
    w = build_world()
    client.force_login(w.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"step": "send", **data}, **HTMX)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert (len(mail.outbox), AttendeeMessage.objects.count()) == (0, 0)


def test_message_to_an_empty_audience_is_refused(client):
    w = build_world()
    client.force_login(w.owner)
    first = client.post(
        URL, {"step": "preview", "audience": "checked_in", "subject": "Hi", "body": "x"}, **HTMX
    )
    assert first.status_code == 200
    w.event.rsvps.update(checked_in_at=None)
    response = client.post(
        URL, {"step": "preview", "audience": "checked_in", "subject": "Hi", "body": "x"}, **HTMX
    )
    # Nobody there yet: a conflict with the event's state (409), as the API answers it.
    assert response.status_code == 409
    assert "Nobody is in that group yet." in response.content.decode()


def test_message_send_to_an_empty_audience_is_refused_next_to_the_audience(client):
    w = build_world()
    w.event.rsvps.update(checked_in_at=None)
    client.force_login(w.owner)
    data = {"step": "send", "audience": "checked_in", "subject": "Hi", "body": "x"}
    response = client.post(URL, data, **HTMX)
    body = response.content.decode()
    assert response.status_code == 409
    assert '<p class="field-error">Nobody is in that group yet.</p>' in body
    assert AttendeeMessage.objects.count() == 0


def test_message_page_lists_what_was_sent(client, django_capture_on_commit_callbacks):
    w = build_world()
    client.force_login(w.owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"step": "send", "audience": "going", "subject": "Doors", "body": "L5"})
    body = client.get(URL).content.decode()
    assert '<p class="font-medium">Doors</p>' in body
    assert "Going · 1 person · owner" in body


def test_message_send_is_rate_limited(
    client, settings, django_capture_on_commit_callbacks, stopped_clock
):
    w = build_world()
    cache.clear()  # rate-limit counters live in the cache, keyed by user id
    client.force_login(w.owner)
    data = {"step": "send", "audience": "going", "subject": "Doors", "body": "L5"}
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [client.post(URL, data, **HTMX).status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]
    assert AttendeeMessage.objects.count() == 10


def test_message_rate_is_one_budget_for_the_page_and_the_api(
    client, settings, django_capture_on_commit_callbacks, stopped_clock
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "organise.message": "2/h"}
    w = build_world()
    client.force_login(w.owner)
    data = {"step": "send", "audience": "going", "subject": "Doors", "body": "L5"}
    api = "/api/organise/sydjango/events/november/messages"
    payload = {"audience": "going", "subject": "Doors", "body": "L5"}
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(URL, data, **HTMX).status_code
        first_api = client.post(api, payload, content_type="application/json").status_code
        refused = client.post(api, payload, content_type="application/json")
    assert (page, first_api, refused.status_code, refused.json()["kind"]) == (
        200,
        201,
        429,
        "rate_limited",
    )
    assert AttendeeMessage.objects.count() == 2
