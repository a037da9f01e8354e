from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from portal.services import api_token_create
from rsvp import services
from rsvp.models import Rsvp, RsvpSettings
from tests import factories

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    _token, raw = api_token_create(user=user, name="test")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def api():
    return Client(enforce_csrf_checks=True)


def test_api_rsvp_create_with_a_token_then_replay_changes_nothing(api, small_event, member):
    auth = bearer(member)
    path = f"/api/events/{small_event.slug}/rsvp"

    first = api.post(path, {"guests": 1}, content_type="application/json", headers=auth)
    again = api.post(path, {"guests": 1}, content_type="application/json", headers=auth)

    assert (first.status_code, again.status_code) == (201, 200)
    body = first.json()
    rsvp = Rsvp.objects.get()
    assert body == {
        "id": rsvp.pk,
        "event": small_event.slug,
        "event_title": small_event.title,
        "starts_at": body["starts_at"],
        "status": "going",
        "guests": 1,
        "seats": 2,
        "checked_in": False,
        "listed": True,
        "ticket_url": f"http://testserver/my-events/{rsvp.pk}/ticket/",
        "check_in_url": f"http://testserver/check-in/t/{rsvp.ticket_token}/",
    }
    assert again.json() == body


def test_api_rsvp_create_unlisted_stays_off_the_list(api, small_event, member):
    """The API offers the same choice as the panel: not shown by name on who's going."""
    path = f"/api/events/{small_event.slug}/rsvp"

    response = api.post(
        path,
        {"guests": 0, "listed": False},
        content_type="application/json",
        headers=bearer(member),
    )

    assert response.status_code == 201
    assert response.json()["listed"] is False
    assert Rsvp.objects.get(user=member).listed is False


def test_api_rsvp_create_with_a_session_needs_csrf(api, small_event, member):
    api.force_login(member)

    response = api.post(
        f"/api/events/{small_event.slug}/rsvp", {"guests": 0}, content_type="application/json"
    )

    assert response.status_code == 403
    assert Rsvp.objects.count() == 0


def test_api_rsvp_create_anonymous_is_refused(api, small_event):
    response = api.post(
        f"/api/events/{small_event.slug}/rsvp", {"guests": 0}, content_type="application/json"
    )

    # The session authenticator checks CSRF before it looks at the user.
    assert response.status_code == 403
    assert Rsvp.objects.count() == 0


@pytest.mark.parametrize(
    ("slug", "guests", "status", "body"),
    [
        ("no-such-event", 0, 404, {"detail": "No event found.", "kind": "not_found",
                                   "field": None}),
        (None, 3, 422, {"detail": "You can bring at most 2 guests.", "kind": "invalid",
                        "field": "guests"}),
    ],
)  # fmt: skip
def test_api_rsvp_create_refuses_bad_input(api, small_event, member, slug, guests, status, body):
    response = api.post(
        f"/api/events/{slug or small_event.slug}/rsvp",
        {"guests": guests},
        content_type="application/json",
        headers=bearer(member),
    )

    assert response.status_code == status
    assert response.json() == body
    assert Rsvp.objects.count() == 0


def test_api_rsvp_create_refuses_negative_guests(api, small_event, member):
    response = api.post(
        f"/api/events/{small_event.slug}/rsvp",
        {"guests": -1},
        content_type="application/json",
        headers=bearer(member),
    )

    assert response.status_code == 422
    assert (response.json()["kind"], response.json()["field"]) == ("invalid", "guests")
    assert Rsvp.objects.count() == 0


def test_api_guests_change_and_cancel_own_rsvp(api, small_event, member):
    auth = bearer(member)
    rsvp = services.rsvp_create(event=small_event, user=member).rsvp

    changed = api.patch(
        f"/api/rsvps/{rsvp.pk}", {"guests": 2}, content_type="application/json", headers=auth
    )
    cancelled = api.post(f"/api/rsvps/{rsvp.pk}/cancel", headers=auth)

    assert (changed.status_code, changed.json()["guests"]) == (200, 2)
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")


def test_api_another_persons_rsvp_is_404_and_unchanged(api, small_event, people):
    theirs = services.rsvp_create(event=small_event, user=people[0]).rsvp
    auth = bearer(people[1])

    read = api.get(f"/api/rsvps/{theirs.pk}", headers=auth)
    patch = api.patch(
        f"/api/rsvps/{theirs.pk}", {"guests": 1}, content_type="application/json", headers=auth
    )
    cancel = api.post(f"/api/rsvps/{theirs.pk}/cancel", headers=auth)

    assert (read.status_code, patch.status_code, cancel.status_code) == (404, 404, 404)
    assert patch.json() == {"detail": "No such RSVP.", "kind": "not_found", "field": None}
    theirs.refresh_from_db()
    assert (theirs.status, theirs.guests) == ("going", 0)


def test_api_my_rsvps_lists_only_mine(api, group, people):
    mine = services.rsvp_create(event=factories.make_event(group=group), user=people[0]).rsvp
    services.rsvp_create(event=factories.make_event(group=group), user=people[1])

    response = api.get("/api/me/rsvps", headers=bearer(people[0]))

    assert [r["id"] for r in response.json()] == [mine.pk]


def test_api_attendance_is_public(api, small_event, member):
    services.rsvp_create(event=small_event, user=member, guests=1)

    response = api.get(f"/api/events/{small_event.slug}/attendance")

    assert response.json() == {
        "going": 2,
        "going_rsvps": 1,
        "waitlisted": 0,
        "checked_in": 0,
        "capacity": 3,
        "seats_left": 1,
    }


def test_api_attendees_for_organisers_only(api, small_event, organiser, member):
    services.rsvp_create(event=small_event, user=member)

    as_member = api.get(f"/api/events/{small_event.slug}/attendees", headers=bearer(member))
    as_organiser = api.get(f"/api/events/{small_event.slug}/attendees", headers=bearer(organiser))

    assert as_member.status_code == 404
    assert [a["username"] for a in as_organiser.json()["items"]] == ["member"]


def test_api_check_in_by_ticket_token_and_undo(api, small_event, organiser, member):
    rsvp = services.rsvp_create(event=small_event, user=member, guests=1).rsvp
    auth = bearer(organiser)
    path = f"/api/events/{small_event.slug}/check-ins"

    checked = api.post(
        path, {"token": rsvp.ticket_token}, content_type="application/json", headers=auth
    )
    forged = api.post(path, {"token": "forged"}, content_type="application/json", headers=auth)
    undone = api.delete(f"{path}/{rsvp.pk}", headers=auth)

    assert checked.status_code == 200
    assert checked.json()["checked_in_at"] is not None
    assert (forged.status_code, forged.json()) == (
        404,
        {"detail": "No such ticket for this event.", "kind": "not_found", "field": None},
    )
    assert (undone.status_code, undone.json()["checked_in_at"]) == (200, None)


def test_api_check_in_by_a_member_is_404(api, small_event, member, people):
    rsvp = services.rsvp_create(event=small_event, user=people[0]).rsvp

    response = api.post(
        f"/api/events/{small_event.slug}/check-ins",
        {"rsvp_id": rsvp.pk},
        content_type="application/json",
        headers=bearer(member),
    )

    assert response.status_code == 404
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


def test_api_rsvp_create_when_closed_is_409_and_changes_nothing(api, small_event, member):
    RsvpSettings.objects.filter(event=small_event).update(
        closes_at=timezone.now() - timedelta(minutes=1)
    )

    response = api.post(
        f"/api/events/{small_event.slug}/rsvp",
        {"guests": 0},
        content_type="application/json",
        headers=bearer(member),
    )

    assert (response.status_code, response.json()) == (
        409,
        {"detail": "RSVPs for this event are closed.", "kind": "conflict", "field": None},
    )
    assert Rsvp.objects.count() == 0


def test_api_attendees_with_an_unknown_status_filter_is_422(api, small_event, organiser):
    response = api.get(
        f"/api/events/{small_event.slug}/attendees",
        {"status": "vip"},
        headers=bearer(organiser),
    )

    assert (response.status_code, response.json()) == (
        422,
        {"detail": "Unknown status filter.", "kind": "invalid", "field": "status"},
    )


def test_api_check_in_without_an_rsvp_or_a_token_is_422(api, small_event, organiser, member):
    rsvp = services.rsvp_create(event=small_event, user=member).rsvp

    response = api.post(
        f"/api/events/{small_event.slug}/check-ins",
        {},
        content_type="application/json",
        headers=bearer(organiser),
    )

    assert (response.status_code, response.json()) == (
        422,
        {"detail": "Give rsvp_id or token.", "kind": "invalid", "field": "rsvp_id"},
    )
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


def test_api_check_in_of_a_waitlisted_rsvp_is_409(api, small_event, organiser, people):
    services.rsvp_create(event=small_event, user=people[0], guests=2)
    waiting = services.rsvp_create(event=small_event, user=people[1]).rsvp

    response = api.post(
        f"/api/events/{small_event.slug}/check-ins",
        {"rsvp_id": waiting.pk},
        content_type="application/json",
        headers=bearer(organiser),
    )

    assert (response.status_code, response.json()) == (
        409,
        {
            "detail": "Only people who are going can be checked in.",
            "kind": "conflict",
            "field": None,
        },
    )


def test_api_rsvp_writes_share_one_rate_budget(api, small_event, member, settings, stopped_clock):
    # An hour-long window: a minute-long one could roll over mid-test and reset the count.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "rsvp.write": "3/h"}
    auth = bearer(member)
    created = api.post(
        f"/api/events/{small_event.slug}/rsvp",
        {"guests": 0},
        content_type="application/json",
        headers=auth,
    )
    rsvp_id = created.json()["id"]
    changed = api.patch(
        f"/api/rsvps/{rsvp_id}", {"guests": 1}, content_type="application/json", headers=auth
    )
    cancelled = api.post(f"/api/rsvps/{rsvp_id}/cancel", headers=auth)
    again = api.post(
        f"/api/events/{small_event.slug}/rsvp",
        {"guests": 0},
        content_type="application/json",
        headers=auth,
    )

    assert [r.status_code for r in (created, changed, cancelled, again)] == [201, 200, 200, 429]
    assert again.json() == {
        "detail": "You are going a little fast: this can be done 3 times an hour. Please wait "
        "an hour and try again.",
        "kind": "rate_limited",
        "field": None,
    }
    assert Rsvp.objects.get().status == Rsvp.Status.CANCELLED
