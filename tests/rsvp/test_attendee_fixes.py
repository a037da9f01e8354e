"""Issue #15, attendee journey: undo a cancellation, who's going (with its opt-out), the home
cards' badges, the phone's bottom bar, announcements and focus markers in the panel."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.errors import ServiceError
from portal.services import api_token_create
from rsvp import selectors, services
from rsvp.models import Rsvp, RsvpSettings
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def url(name, event):
    return reverse(f"rsvp:{name}", kwargs={"slug": event.slug})


@pytest.fixture
def small_event(group):
    event = factories.make_event(group=group, capacity=3)
    RsvpSettings.objects.create(event=event, guests_allowed=2)
    return event


# --- cancel, then undo -------------------------------------------------------------------


def test_cancel_without_js_redirects_to_a_panel_offering_undo(client, small_event, member):
    """Guards: cancelling is one click with no way back (the panel must offer Undo, no JS)."""
    services.rsvp_create(event=small_event, user=member, guests=1)
    client.force_login(member)

    response = client.post(url("cancel", small_event))

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Your RSVP is cancelled." in page
    assert 'name="undo" value="1"' in page
    assert 'name="guests" value="1"' in page  # the cancelled RSVP's guests come back with it
    assert 'Undo<span class="sr-only"> cancelling my RSVP</span></button>' in page


def test_undo_without_js_restores_the_seat_when_still_free(client, small_event, member):
    """Guards: Undo must go back through the seat service and say the seat is back."""
    services.rsvp_create(event=small_event, user=member, guests=1)
    client.force_login(member)
    client.post(url("cancel", small_event))

    response = client.post(
        url("create", small_event), {"guests": "1", "undo": "1", "listed_choice": "1"}
    )

    assert response.status_code == 302
    rsvp = Rsvp.objects.get(user=member)
    assert (rsvp.status, rsvp.guests, rsvp.listed) == ("going", 1, False)
    page = client.get(response["Location"]).content.decode()
    assert "Cancellation undone: you&#x27;re going again." in page


def test_undo_when_the_seat_is_gone_puts_them_on_the_waitlist_and_says_so(
    client, small_event, member
):
    """Guards: an Undo that silently overbooks, or says "going" when it was waitlisted."""
    services.rsvp_create(event=small_event, user=member, guests=0)
    client.force_login(member)
    client.post(url("cancel", small_event), headers=HTMX)
    for person in (factories.make_user(), factories.make_user()):  # 1 + 2 guests... fill 3
        services.rsvp_create(event=small_event, user=person, guests=0)
    services.rsvp_create(event=small_event, user=factories.make_user(), guests=0)

    response = client.post(
        url("create", small_event), {"guests": "0", "undo": "1", "listed": "1"}, headers=HTMX
    )

    assert response.status_code == 200
    assert Rsvp.objects.get(user=member).status == "waitlisted"
    message = (
        "Cancellation undone, but your seat went to someone else meanwhile: you're on the waitlist."
    )
    assert json.loads(response["HX-Trigger"])["announce"] == {"message": message}


def test_undo_is_offered_only_shortly_after_cancelling(client, small_event, member):
    """Guards: an Undo offered forever (it must expire with UNDO_CANCEL_WINDOW)."""
    result = services.rsvp_create(event=small_event, user=member)
    services.rsvp_cancel(rsvp_id=result.rsvp.pk, user=member)
    client.force_login(member)
    assert 'name="undo"' in client.get(small_event.get_absolute_url()).content.decode()

    Rsvp.objects.filter(pk=result.rsvp.pk).update(
        cancelled_at=timezone.now() - selectors.UNDO_CANCEL_WINDOW - timedelta(seconds=1)
    )

    page = client.get(small_event.get_absolute_url()).content.decode()
    assert 'name="undo"' not in page
    assert "You cancelled your RSVP. Changed your mind?" in page


def test_cancel_htmx_announces_and_moves_focus_to_undo(client, small_event, member):
    """Guards: the notice in a brand-new live region (it must go through #announcer), and
    focus dropping to <body> after the panel swap."""
    services.rsvp_create(event=small_event, user=member)
    client.force_login(member)

    response = client.post(url("cancel", small_event), headers=HTMX)

    html = response.content.decode()
    assert json.loads(response["HX-Trigger"])["announce"] == {"message": "Your RSVP is cancelled."}
    assert "aria-live" not in html
    assert 'role="status"' not in html
    assert 'data-focus-key="rsvp-undo" data-focus-after-swap>Undo' in html


# --- the success panel links straight to the ticket --------------------------------------


def test_rsvp_success_panel_links_to_the_ticket_and_focuses_it(client, small_event, member):
    """Guards: the click budget (home → event → I'm going → ticket) and focus after the swap."""
    client.force_login(member)

    response = client.post(url("create", small_event), {"guests": "0"}, headers=HTMX)

    rsvp = Rsvp.objects.get(user=member)
    html = response.content.decode()
    assert (
        f'<a id="rsvp-ticket-link" class="btn-primary mt-2 w-full" href="{rsvp.get_ticket_url()}" '
        'data-focus-key="rsvp-ticket" data-focus-after-swap>Show my ticket</a>'
    ) in html


# --- who's going -------------------------------------------------------------------------


def _named(user):
    return f'<span class="min-w-0 break-words">{user.get_full_name()}</span>'


def test_whos_going_names_listed_people_and_never_hidden_ones(client, small_event, member):
    """Guards: a hidden person's name leaking onto the list (their RSVP exists and is going)."""
    shown = factories.make_user(first_name="Ada", last_name="Lovelace")
    hidden = factories.make_user(first_name="Hedy", last_name="Hidden")
    services.rsvp_create(event=small_event, user=shown)
    services.rsvp_create(event=small_event, user=hidden, guests=1, listed=False)
    client.force_login(member)

    html = client.get(small_event.get_absolute_url()).content.decode()

    assert _named(shown) in html
    assert 'aria-hidden="true">AL</span>' in html
    assert "Hedy" not in html
    assert 'Who\'s going <span class="font-normal text-stone-600">(3)</span>' in html
    assert "and 2 more (guests, and people who chose not to be listed)" in html


def test_whos_going_is_not_shown_to_anonymous_visitors(client, small_event):
    """Guards: names handed to anyone on the internet (only signed-in members see them)."""
    services.rsvp_create(event=small_event, user=factories.make_user(first_name="Ada"))

    html = client.get(small_event.get_absolute_url()).content.decode()

    assert 'id="rsvp-going"' not in html
    assert "Ada" not in html


def test_whos_going_choice_changes_later_from_the_panel(client, small_event, member):
    """Guards: the listed choice being fixed at RSVP time (it must be changeable later)."""
    member.first_name = "Mia"
    member.save()
    services.rsvp_create(event=small_event, user=member, guests=1)
    client.force_login(member)

    response = client.post(
        url("guests", small_event), {"guests": "1", "listed_choice": "1"}, headers=HTMX
    )

    assert Rsvp.objects.get(user=member).listed is False
    assert json.loads(response["HX-Trigger"])["announce"] == {
        "message": "You're no longer on the list of who's going."
    }
    assert _named(member) not in response.content.decode()

    client.post(url("guests", small_event), {"guests": "1", "listed_choice": "1", "listed": "1"})
    assert Rsvp.objects.get(user=member).listed is True


def test_guests_change_without_the_listed_field_keeps_the_choice(client, small_event, member):
    """Guards: an old client (or the API) posting only guests silently unlisting people."""
    services.rsvp_create(event=small_event, user=member, guests=0, listed=False)
    client.force_login(member)

    client.post(url("guests", small_event), {"guests": "2"}, headers=HTMX)

    rsvp = Rsvp.objects.get(user=member)
    assert (rsvp.guests, rsvp.listed) == (2, False)


def test_whos_going_is_bounded(small_event):
    """Guards: a list that grows with the event (the panel names at most GOING_LIST_NAMES)."""
    small_event.capacity = 40
    small_event.save()
    for _ in range(selectors.GOING_LIST_NAMES + 3):
        services.rsvp_create(event=small_event, user=factories.make_user())

    assert len(selectors.going_list(event=small_event)) == selectors.GOING_LIST_NAMES


def test_panel_queries_do_not_grow_with_the_people_going(client, small_event, member):
    """Guards: a query per person on the who's-going list."""
    small_event.capacity = 40
    small_event.save()
    client.force_login(member)
    counts = []
    for added in (1, 10):
        for _ in range(added):
            services.rsvp_create(event=small_event, user=factories.make_user(first_name="X"))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("panel", small_event), headers=HTMX).status_code == 200
        counts.append(len(ctx.captured_queries))

    assert counts[0] == counts[1]


# --- home cards --------------------------------------------------------------------------


def test_home_cards_say_youre_going_and_on_the_waitlist(client, group, member):
    """Guards: cards saying "Details and RSVP" to someone who RSVPed."""
    first = factories.make_event(group=group, title="First", starts_in=timedelta(days=2))
    going = factories.make_event(group=group, title="Going", starts_in=timedelta(days=3))
    full = factories.make_event(group=group, title="Full", capacity=1, starts_in=timedelta(days=4))
    factories.make_event(group=group, title="Other", starts_in=timedelta(days=5))
    services.rsvp_create(event=first, user=member)
    services.rsvp_create(event=going, user=member)
    services.rsvp_create(event=full, user=factories.make_user())
    services.rsvp_create(event=full, user=member)
    client.force_login(member)

    html = client.get("/").content.decode()

    assert "Details and ticket</a>" in html  # the next event, which they are going to
    assert html.count("You're going</span>") == 2
    assert html.count("On the waitlist</span>") == 1


def test_home_badges_cost_one_query_for_all_cards(client, group, member):
    """Guards: a query per card to find the viewer's RSVP."""
    client.force_login(member)
    counts = []
    for added in (1, 4):
        for i in range(added):
            event = factories.make_event(group=group, starts_in=timedelta(days=2 + i))
            services.rsvp_create(event=event, user=member)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        counts.append(len(ctx.captured_queries))
    anonymous = Client()
    with CaptureQueriesContext(connection) as ctx:
        anonymous.get("/")

    assert counts[0] == counts[1]
    # Signed in: the session and the user, plus one query for every card's badge.
    assert counts[1] == len(ctx.captured_queries) + 3


# --- the phone's bottom bar --------------------------------------------------------------


def test_event_page_has_the_phone_bar_with_rsvp_then_ticket(client, small_event, member):
    """Guards: the RSVP card below the fold with no sticky action on phones."""
    client.force_login(member)
    html = client.get(small_event.get_absolute_url()).content.decode()
    assert '<div id="rsvp-sticky" hx-get="' in html
    assert '<a class="btn-primary" href="#rsvp-panel">RSVP</a>' in html

    services.rsvp_create(event=small_event, user=member)
    response = client.get(url("panel", small_event), headers={**HTMX, "HX-Target": "rsvp-sticky"})

    rsvp = Rsvp.objects.get(user=member)
    html = response.content.decode()
    assert html.strip().startswith('<div id="rsvp-sticky"')
    assert 'id="rsvp-panel"' not in html
    assert f'<a class="btn-primary" href="{rsvp.get_ticket_url()}">Ticket</a>' in html


def test_listed_set_service_refuses_another_persons_rsvp(small_event, member):
    other = services.rsvp_create(event=small_event, user=factories.make_user()).rsvp

    with pytest.raises(ServiceError) as refused:
        services.rsvp_listed_set(rsvp_id=other.pk, user=member, listed=False)

    assert refused.value.kind == "not_found"
    assert Rsvp.objects.get(pk=other.pk).listed is True


def test_api_rsvp_can_choose_not_to_be_listed(small_event, member):
    """Guards: the API having no say in the who's-going choice (it must reach the service)."""
    _token, raw = api_token_create(user=member, name="test")

    response = Client().post(
        f"/api/events/{small_event.slug}/rsvp",
        {"guests": 0, "listed": False},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )

    assert response.status_code == 201
    assert Rsvp.objects.get(user=member).listed is False
