"""The organiser API: same rules as the pages; strangers get 404; writes need a token or CSRF."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from meetups.models import Event
from organise.models import AttendeeMessage
from portal.services import api_token_create
from rsvp.models import RsvpSettings
from tests import factories
from tests.organise.data import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Rate-limit counters live in the cache, keyed by user id, and ids repeat between tests.
    cache.clear()


BASE = "/api/organise/sydjango/events/november"
CALLS = [
    ("get", f"{BASE}/summary", None),
    ("post", f"{BASE}/rsvp-window", {"open": False}),
    ("post", f"{BASE}/cancel", {"reason": "Flooded"}),
    ("post", f"{BASE}/messages", {"audience": "going", "subject": "Hi", "body": "Pizza"}),
]


def _bearer(user) -> dict:
    _, raw = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _call(client, method, url, data, headers):
    if method == "get":
        return client.get(url, **headers)
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def _state(w):
    w.event.refresh_from_db()
    return (
        w.event.status,
        AttendeeMessage.objects.count(),
        RsvpSettings.objects.filter(event=w.event).exists(),
    )


@pytest.mark.parametrize(("method", "url", "data"), CALLS)
@pytest.mark.parametrize("role", ["member", "speaker_user", "other_organiser"])
def test_organise_api_answers_404_to_non_organisers(role, method, url, data):
    w = build_world()
    before = _state(w)
    response = _call(Client(), method, url, data, _bearer(getattr(w, role)))
    assert (response.status_code, response.json()) == (
        404,
        {"detail": "No group found.", "kind": "not_found", "field": None},
    )
    assert _state(w) == before


@pytest.mark.parametrize(("method", "url", "data"), CALLS)
def test_organise_api_needs_authentication(method, url, data):
    w = build_world()
    before = _state(w)
    response = _call(Client(), method, url, data, {})
    assert response.status_code == 401
    assert _state(w) == before


@pytest.mark.parametrize(("method", "url", "data"), CALLS[1:])
def test_organise_api_session_write_without_csrf_is_refused(method, url, data):
    w = build_world()
    client = Client(enforce_csrf_checks=True)
    client.force_login(w.owner)
    before = _state(w)
    response = _call(client, method, url, data, {})
    assert response.status_code == 403
    assert _state(w) == before


@pytest.mark.parametrize("role", ["co_organiser", "owner", "staff"])
def test_organise_api_summary_for_organisers(role):
    w = build_world()
    response = Client().get(f"{BASE}/summary", **_bearer(getattr(w, role)))
    assert response.status_code == 200
    assert response.json() == {
        "event": "november",
        "status": "published",
        "capacity": 2,
        "going": 2,
        "going_rsvps": 1,
        "waitlisted": 1,
        "checked_in": 2,
        "no_shows": 0,
        "no_show_people": 0,
        "questions_asked": 1,
        "questions_answered": 0,
        "rsvps_open": True,
        "top_talks": [
            {"title": "Async Django", "slug": "async-django", "proposal_votes": 1,
             "question_count": 0}
        ],
    }  # fmt: skip


def test_organise_api_of_another_groups_event_answers_404():
    w = build_world()
    response = Client().get(
        "/api/organise/sydjango/events/other-meetup/summary", **_bearer(w.owner)
    )
    assert (response.status_code, response.json()) == (
        404,
        {"detail": "No event found.", "kind": "not_found", "field": None},
    )


def test_organise_api_closes_rsvps():
    w = build_world()
    response = _call(Client(), "post", f"{BASE}/rsvp-window", {"open": False}, _bearer(w.owner))
    assert (response.status_code, response.json()["rsvps_open"]) == (200, False)


def test_organise_api_open_rsvps_on_a_draft_is_a_409():
    w = build_world()
    url = "/api/organise/sydjango/events/secret-draft/rsvp-window"
    response = _call(Client(), "post", url, {"open": True}, _bearer(w.owner))
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Publish the event first.",
        "kind": "conflict",
        "field": None,
    }


def test_organise_api_cancel_emails_attendees(django_capture_on_commit_callbacks):
    w = build_world()
    with django_capture_on_commit_callbacks(execute=True):
        response = _call(Client(), "post", f"{BASE}/cancel", {"reason": ""}, _bearer(w.owner))
    assert response.json() == {"status": "cancelled", "emailed": 2}
    assert Event.objects.get(slug="november").status == "cancelled"
    assert len(mail.outbox) == 2


def test_organise_api_message_sends_and_records(django_capture_on_commit_callbacks):
    w = build_world()
    data = {"audience": "waitlisted", "subject": "Seats", "body": "Hang on."}
    with django_capture_on_commit_callbacks(execute=True):
        response = _call(Client(), "post", f"{BASE}/messages", data, _bearer(w.co_organiser))
    assert response.status_code == 201
    assert (response.json()["recipient_count"], [m.to for m in mail.outbox]) == (
        1,
        [["speaker@example.com"]],
    )


def test_organise_api_message_rejects_an_unknown_audience():
    w = build_world()
    data = {"audience": "everyone", "subject": "Hi", "body": "x"}
    response = _call(Client(), "post", f"{BASE}/messages", data, _bearer(w.owner))
    assert response.status_code == 422
    assert AttendeeMessage.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"audience": "going", "subject": "Two\nlines", "body": "x"}, "subject"),
        ({"audience": "going", "subject": "x" * 151, "body": "x"}, "subject"),
        ({"audience": "going", "subject": "Hi", "body": "x" * 5001}, "body"),
        ({"audience": "going", "subject": " ", "body": "x"}, "body"),
    ],
)
def test_organise_api_message_rejects_bad_input(data, field):
    w = build_world()
    response = _call(Client(), "post", f"{BASE}/messages", data, _bearer(w.owner))
    assert (response.status_code, response.json()["kind"], response.json()["field"]) == (
        422,
        "invalid",
        field,
    )
    assert AttendeeMessage.objects.count() == 0


def test_organise_api_message_to_an_empty_audience_is_a_409():
    w = build_world()
    w.event.rsvps.update(checked_in_at=None)
    data = {"audience": "checked_in", "subject": "Hi", "body": "x"}
    response = _call(Client(), "post", f"{BASE}/messages", data, _bearer(w.owner))
    assert response.json() == {
        "detail": "Nobody is in that group yet.",
        "kind": "conflict",
        "field": "audience",
    }
    assert (response.status_code, AttendeeMessage.objects.count()) == (409, 0)


def test_organise_api_cancel_reason_too_long_is_a_422():
    w = build_world()
    response = _call(Client(), "post", f"{BASE}/cancel", {"reason": "x" * 501}, _bearer(w.owner))
    assert (response.status_code, response.json()["kind"], response.json()["field"]) == (
        422,
        "invalid",
        "reason",
    )
    assert _state(w)[0] == "published"


def test_organise_api_cancel_of_a_past_event_is_a_409():
    w = build_world()
    past = factories.make_event(group=w.group, slug="long-ago", starts_in=-timedelta(days=10))
    url = f"/api/organise/sydjango/events/{past.slug}/cancel"
    response = _call(Client(), "post", url, {"reason": ""}, _bearer(w.owner))
    past.refresh_from_db()
    assert (response.status_code, response.json()["kind"], past.status) == (
        409,
        "conflict",
        "published",
    )
