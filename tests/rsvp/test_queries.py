"""List pages stay at a fixed number of queries however many rows they show."""

import pytest
from django.urls import reverse

from meetups.models import Event
from members import services as member_services
from members.models import Membership, RsvpAudience
from members.policies import forget
from rsvp import services
from rsvp.selectors import GOING_LIST_NAMES, going_list, rsvp_panel
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


# The RSVP panel's reads (rsvp.selectors.rsvp_panel): fewer queries, the same answers.


def test_panel_reads_in_four_queries_and_three_with_the_public_part_kept(
    page_cache, event, member, django_assert_num_queries
):
    services.rsvp_create(event=event, user=member)

    def fresh_viewer():
        # What the RSVP's own rules read is kept on these objects: start from nothing known.
        forget(event)
        return type(member).objects.get(pk=member.pk)

    first_viewer, second_viewer = fresh_viewer(), fresh_viewer()
    # Seats and settings; the viewer's RSVP with who's going; membership and policies; the
    # organiser check.
    with django_assert_num_queries(4):
        rsvp_panel(event=event, user=first_viewer, public_version="v1")
    forget(event)
    # The same version: seats and settings as kept.
    with django_assert_num_queries(3):
        panel = rsvp_panel(event=event, user=second_viewer, public_version="v1")

    assert (panel.counts["going"], panel.rsvp.user_id, panel.can_rsvp) == (1, member.pk, True)


def test_panel_names_the_first_listed_people_going_with_the_viewer_last_in_line(
    event, member, people
):

    crowd = [
        factories.make_user(first_name=f"Person {n}", last_name=f"Surname {n}")
        for n in range(GOING_LIST_NAMES + 2)
    ]
    services.rsvp_create(event=event, user=people[0], listed=False)  # going, not named
    for person in crowd:
        services.rsvp_create(event=event, user=person, guests=0, listed=True)
    services.rsvp_create(event=event, user=member, guests=0, listed=True)  # 28th in line

    panel = rsvp_panel(event=event, user=member)

    named = [going.user.first_name for going in panel.going_people]
    assert named == [f"Person {n}" for n in range(GOING_LIST_NAMES)]

    # Every field a name is made of, each in its place (the panel's read is written out).
    def name_fields(user):
        return (user.pk, user.username, user.first_name, user.last_name, user.email)

    expected = [name_fields(rsvp.user) for rsvp in going_list(event=event)]
    assert [name_fields(going.user) for going in panel.going_people] == expected
    assert (panel.rsvp.user_id, panel.rsvp.is_going, panel.going_more) == (member.pk, True, 4)


def test_panel_names_the_viewer_among_the_people_going_when_in_the_first(event, member, people):

    services.rsvp_create(event=event, user=people[0], guests=0, listed=True)
    services.rsvp_create(event=event, user=member, guests=0, listed=True)
    services.rsvp_create(event=event, user=people[1], guests=0, listed=True)

    panel = rsvp_panel(event=event, user=member)

    assert [going.user.pk for going in panel.going_people] == [
        p.pk for p in (people[0], member, people[1])
    ]


def test_panel_refuses_a_banned_member_through_the_one_read_ahead(event, organiser, member):

    member_services.membership_join(group=event.group, user=member)
    membership = Membership.objects.get(user=member)
    member_services.member_ban(
        group=event.group, membership_id=membership.pk, user=organiser, reason="Spam"
    )
    member_services.event_policy_set(
        event=event, user=organiser, rsvp_audience=RsvpAudience.MEMBERS, qa_audience=""
    )
    viewer = type(member).objects.get(pk=member.pk)  # nothing known on it yet

    panel = rsvp_panel(event=event, user=viewer)

    assert (panel.can_rsvp, panel.can_join, panel.rsvp) == (False, False, None)
    assert panel.refusal == f"You have been banned from {event.group.name} by its organisers: Spam"


def test_panel_offers_a_non_member_to_join_a_members_only_event(event, organiser, member):

    member_services.group_policy_set(
        group=event.group, user=organiser, rsvp_audience=RsvpAudience.MEMBERS, qa_audience=""
    )

    panel = rsvp_panel(event=event, user=member)

    assert (panel.can_rsvp, panel.can_join, panel.can_check_in) == (False, True, False)
    assert panel.refusal == "This event is for members of the group: join the group to RSVP."
