"""List pages stay at a fixed number of queries however many rows they show."""

import pytest
from django.urls import reverse

from rsvp import services
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

    with django_assert_num_queries(7):
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

    with django_assert_max_num_queries(12):
        response = client.get(event.get_absolute_url())

    assert response.status_code == 200
