"""The organiser journey (#15): past events show who came, "Open RSVPs" is offered only when
the service would do it, and cancelling an event confirms, also without JavaScript."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetups.models import Event
from organise import services
from portal.errors import Kind, ServiceError
from rsvp.models import RsvpSettings
from rsvp.services import door
from tests import factories

from .data import build_world, rsvp

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def group_page(client, w) -> str:
    client.force_login(w.owner)
    return client.get(reverse("organise:group", kwargs={"group": "sydjango"})).content.decode()


def test_group_page_shows_a_past_events_recorded_attendance(client):
    """Guards: the past seed event read "0 / 50 going" while its page said "35 people came"."""
    w = build_world()
    factories.make_event(
        group=w.group, title="Reconnect", capacity=50, recorded_attendance=35,
        starts_in=-timedelta(days=60),
    )  # fmt: skip

    html = group_page(client, w)

    past = html.split('id="past-heading"')[1]
    assert '<p class="text-sm tabular-nums text-stone-700">35 came</p>' in past
    assert "/ 50 going" not in past


def test_group_page_past_event_without_check_ins_says_so(client):
    w = build_world()
    old = factories.make_event(group=w.group, capacity=50, starts_in=-timedelta(days=60))
    rsvp(old, w.member, guests=1)

    html = group_page(client, w)

    past = html.split('id="past-heading"')[1]
    assert '<p class="text-sm tabular-nums text-stone-700">2 RSVPed · no check-ins</p>' in past


def test_group_page_upcoming_events_still_show_seats(client):
    w = build_world()

    html = group_page(client, w)

    upcoming = html.split('id="upcoming-heading"')[1].split('id="past-heading"')[0]
    assert '<p class="text-sm tabular-nums text-stone-700">2 / 2 going</p>' in upcoming


def test_group_page_shows_attendance_recorded_at_the_door(client):
    """Guards: the door's count (guests checked in one by one included) is what the list shows."""
    w = build_world()
    past = factories.make_event(group=w.group, capacity=10, starts_in=-timedelta(days=1))
    guest_party = rsvp(past, w.member, guests=2)
    door.door_check_in(rsvp=guest_party, user=w.owner, host=True, guests_in=1)

    html = group_page(client, w)

    assert '<p class="text-sm tabular-nums text-stone-700">2 came</p>' in html


# --- "Open RSVPs": offered only when it would be done ---------------------------------------


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({}, None),
        ({"status": Event.Status.DRAFT}, "Publish the event first."),
        ({"status": Event.Status.CANCELLED}, "This event is cancelled; RSVPs stay closed."),
        ({"starts_in": -timedelta(minutes=5)}, "The event has started; RSVPs stay closed."),
    ],
)
def test_rsvp_window_open_problem_is_the_services_refusal(change, problem):
    """Guards: the dashboard's offer and the service ask one function, so "Open RSVPs" is not
    offered after the event started and then refused."""
    w = build_world()
    event = factories.make_event(group=w.group, **change)
    RsvpSettings.objects.create(event=event, closes_at=timezone.now() - timedelta(hours=1))

    found = services.rsvp_window_open_problem(event=event)

    assert found == problem
    if problem is None:
        services.rsvp_window_open(event=event, user=w.owner)
        assert RsvpSettings.objects.get(event=event).closes_at is None
    else:
        with pytest.raises(ServiceError) as refused:
            services.rsvp_window_open(event=event, user=w.owner)
        assert (refused.value.kind, refused.value.message) == (Kind.CONFLICT, problem)


# --- cancelling an event confirms ----------------------------------------------------------


def test_event_cancel_is_a_confirm_page_that_works_without_javascript(client):
    w = build_world()
    client.force_login(w.owner)
    url = reverse("organise:event_cancel", kwargs={"group": "sydjango", "event": "november"})

    page = client.get(url)
    unconfirmed = client.post(url, {"reason": ""})

    html = page.content.decode()
    assert page.status_code == 200
    assert (
        f'<form id="cancel-form" method="post" class="card max-w-2xl space-y-4" action="{url}"'
        in html
    )
    assert unconfirmed.status_code == 422
    w.event.refresh_from_db()
    assert w.event.status == "published"


def test_event_cancel_refusal_takes_focus_without_a_new_live_region(client):
    """Guards: the swapped form's error is where focus goes, not a live region of its own."""
    w = build_world()
    client.force_login(w.owner)
    url = reverse("organise:event_cancel", kwargs={"group": "sydjango", "event": "november"})

    response = client.post(url, {"reason": ""}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 422
    assert (
        '<p class="field-error" id="id_confirm_error" tabindex="-1" data-focus-after-swap>'
        "Tick the box to confirm the cancellation.</p>"
    ) in html
    assert 'role="alert"' not in html


def _actions_panel(client, w, event) -> str:
    client.force_login(w.owner)
    url = reverse("organise:dashboard", kwargs={"group": w.group.slug, "event": event.slug})
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode().split('id="panel-actions"')[1]


def test_dashboard_offers_open_rsvps_only_before_the_start(client):
    """Guards: "Open RSVPs" was offered after the event started, then refused (409)."""
    w = build_world()
    RsvpSettings.objects.update_or_create(
        event=w.event, defaults={"closes_at": timezone.now() - timedelta(hours=1)}
    )

    before = _actions_panel(client, w, w.event)
    Event.objects.filter(pk=w.event.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    after = _actions_panel(client, w, w.event)

    assert ">Open RSVPs</button>" in before
    assert ">Open RSVPs</button>" not in after
