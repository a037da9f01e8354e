"""List pages stay at a fixed number of queries however many rows they show."""

import pytest
from django.urls import reverse

from meetups.models import Event
from rsvp import services
from rsvp.services import door
from tests import factories

pytestmark = pytest.mark.django_db


def rsvp_people(event, n):
    for _ in range(n):
        services.rsvp_create(event=event, user=factories.make_user(), guests=1)


@pytest.mark.parametrize("n", [1, 3])
def test_attendee_list_queries_do_not_grow(client, event, organiser, n, django_assert_num_queries):
    rsvp_people(event, n)
    client.force_login(organiser)

    # session, user, event, organiser check, counts, the list, the footer's group
    with django_assert_num_queries(7):
        response = client.get(reverse("rsvp:attendees", kwargs={"slug": event.slug}))

    assert response.content.decode().count("@example.com</td>") == n


@pytest.mark.parametrize("n", [1, 3])
def test_attendee_csv_queries_do_not_grow(client, event, organiser, n, django_assert_num_queries):
    rsvp_people(event, n)
    client.force_login(organiser)

    # session, user, event, organiser check, the list (streamed, so read inside the block)
    with django_assert_num_queries(5):
        response = client.get(reverse("rsvp:attendees_csv", kwargs={"slug": event.slug}))
        body = b"".join(response.streaming_content).decode()

    assert body.count("\n") == n + 1


@pytest.mark.parametrize("n", [1, 3])
def test_check_in_list_queries_do_not_grow(client, event, organiser, n, django_assert_num_queries):
    rsvp_people(event, n)
    client.force_login(organiser)

    # ... and one more for the door's waitlist (see test_door_queries.py for waitlisted rows)
    with django_assert_num_queries(8):
        response = client.get(reverse("rsvp:check_in", kwargs={"slug": event.slug}))

    assert response.content.decode().count('<li id="check-in-') == n


@pytest.mark.parametrize("n", [1, 3])
def test_my_events_queries_do_not_grow(client, group, member, n, django_assert_num_queries):
    for _ in range(n):
        services.rsvp_create(event=factories.make_event(group=group), user=member)
    client.force_login(member)

    # session, user, the RSVPs with their events, the footer's group
    with django_assert_num_queries(4):
        response = client.get(reverse("rsvp:my_events"))

    assert response.content.decode().count("Ticket</a>") == n


@pytest.mark.parametrize("n", [1, 3])
def test_event_page_with_panel_queries_do_not_grow(
    client, event, member, n, django_assert_max_num_queries
):
    rsvp_people(event, n)
    client.force_login(member)
    services.rsvp_create(event=event, user=member)

    # +1 since members: the viewer's membership of the group (a ban refuses the RSVP); +1 since
    # polls: the event-wide polls archived on the event page (live's `event_polls`). A cold
    # fragment cache: with the event's public parts cached (meetups/views.py) it is 2 fewer.
    with django_assert_max_num_queries(14):
        response = client.get(event.get_absolute_url())

    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 3])
def test_door_with_waitlist_and_walk_ins_queries_do_not_grow(
    client, event, organiser, n, django_assert_num_queries
):
    """Guards: the door's waitlist rows, walk-ins and guests-in counts add no query per row."""
    Event.objects.filter(pk=event.pk).update(capacity=2 * n)
    rsvp_people(event, n)  # n going, 2 seats each: full
    rsvp_people(event, n)  # n waitlisted
    for i in range(n):
        door.door_walk_in(event=event, user=organiser, name=f"Walk {i}", override=True)
    client.force_login(organiser)

    # session, user, event, organiser check, counts, going, waitlist, the footer's group
    with django_assert_num_queries(8):
        response = client.get(reverse("rsvp:check_in", kwargs={"slug": event.slug}))

    html = response.content.decode()
    assert html.count('<li id="check-in-') == 3 * n
    assert html.count("Walk-in</span>") == n
    assert html.count(">Admit 2<") == n


@pytest.mark.parametrize("n", [1, 3])
def test_attendee_list_with_walk_ins_queries_do_not_grow(
    client, event, organiser, n, django_assert_num_queries
):
    for i in range(n):
        door.door_walk_in(event=event, user=organiser, name=f"Walk {i}", email=f"w{i}@x.org")
    client.force_login(organiser)

    with django_assert_num_queries(7):
        response = client.get(reverse("rsvp:attendees", kwargs={"slug": event.slug}))

    assert response.content.decode().count("@x.org</td>") == n
