"""The door's pages and endpoints (rsvp/views/door.py): per-person check-in, admitting with a
confirm step, walk-ins, the scan endpoint's every outcome, announcements and permissions."""

import csv
import io
import json
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from rsvp import services
from rsvp.models import Rsvp
from rsvp.services import door
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def url(name, event, **kwargs):
    return reverse(f"rsvp:{name}", kwargs={"slug": event.slug, **kwargs})


def announced(response) -> str:
    return json.loads(response["HX-Trigger"])["announce"]["message"]


@pytest.fixture
def ada(db):
    return factories.make_user(username="ada", first_name="Ada", last_name="Lovelace")


@pytest.fixture
def door_client(client, organiser):
    client.force_login(organiser)
    return client


# --- the page ------------------------------------------------------------------------------


def test_door_page_offers_waitlist_walk_in_and_scanner(door_client, small_event, people):
    services.rsvp_create(event=small_event, user=people[0], guests=2)
    waiting = services.rsvp_create(event=small_event, user=people[1]).rsvp

    html = door_client.get(url("check_in", small_event)).content.decode()

    admit = url("door_admit", small_event, pk=waiting.pk)
    assert f'action="{admit}"' in html
    assert f'data-focus-key="admit-{waiting.pk}"' in html
    assert f'action="{url("door_walk_in", small_event)}"' in html
    assert f'action="{url("door_scan", small_event)}"' in html
    assert 'data-jsqr="/static/rsvp/vendor/jsQR.js"' in html
    assert '<script src="/static/rsvp/door-scan.js" defer></script>' in html


def test_door_totals_are_not_a_live_region(door_client, small_event):
    """Guards: the totals no longer re-announce as a whole (results go through #announcer)."""
    html = door_client.get(url("check_in", small_event)).content.decode()

    assert (
        '<dl id="check-in-totals" class="grid grid-cols-2 gap-2 text-center @md:grid-cols-4">'
        in html
    )
    assert "aria-live" not in html.split('id="check-in-totals"')[1].split("</dl>")[0]


def test_door_search_says_how_many_match(door_client, small_event, people, ada):
    services.rsvp_create(event=small_event, user=ada)
    services.rsvp_create(event=small_event, user=people[0])

    response = door_client.get(
        url("check_in", small_event) + "?q=ada", headers={**HTMX, "HX-Target": "check-in-results"}
    )

    html = response.content.decode()
    assert html.count('<li id="check-in-') == 1
    assert 'data-announce="1 going and 0 waitlisted match “ada”."' in html


@pytest.mark.parametrize("name", ["check_in", "attendees", "attendees_csv"])
def test_door_pages_are_404_for_a_member_and_another_groups_organiser(
    client, small_event, member, name
):
    other = factories.make_user(username="other-org")
    factories.make_group().organisers.add(other)
    for person in (member, other):
        client.force_login(person)
        assert client.get(url(name, small_event)).status_code == 404


def test_door_writes_are_404_for_another_groups_organiser(client, small_event, people):
    """Guards: admit, walk-in and scan ask the door rule before touching anything."""
    waiting_event_rsvp = services.rsvp_create(event=small_event, user=people[0]).rsvp
    other = factories.make_user(username="other-org")
    factories.make_group().organisers.add(other)
    client.force_login(other)

    answers = [
        client.post(url("door_admit", small_event, pk=waiting_event_rsvp.pk), {"override": "1"}),
        client.post(url("door_walk_in", small_event), {"name": "Eve"}),
        client.post(url("door_scan", small_event), {"ticket": waiting_event_rsvp.ticket_token}),
        client.post(url("check_in_toggle", small_event, pk=waiting_event_rsvp.pk)),
    ]

    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert Rsvp.objects.count() == 1
    waiting_event_rsvp.refresh_from_db()
    assert waiting_event_rsvp.checked_in_at is None


# --- per-person check-in -------------------------------------------------------------------


def test_check_in_host_announces_the_running_total_and_keeps_focus_keys(
    door_client, small_event, ada, people
):
    """Guards: the check-in result is announced once, and the row's buttons keep their keys."""
    rsvp = services.rsvp_create(event=small_event, user=ada, guests=2).rsvp

    response = door_client.post(
        url("check_in_toggle", small_event, pk=rsvp.pk), {"action": "host_in"}, headers=HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert announced(response) == "Checked in Ada Lovelace. (1 of 3 in)"
    assert f'data-focus-key="host-{rsvp.pk}"' in html
    assert f'data-focus-key="guest-add-{rsvp.pk}"' in html
    assert '<dd id="door-total-checked-in" hx-swap-oob="true"' in html
    assert "0 of 2 guests in" in html


def test_check_in_guests_one_by_one(door_client, small_event, ada):
    """Guards: per-guest check-in through the page, counted in the totals."""
    rsvp = services.rsvp_create(event=small_event, user=ada, guests=2).rsvp
    toggle = url("check_in_toggle", small_event, pk=rsvp.pk)

    first = door_client.post(toggle, {"action": "guests", "guests_in": "1"}, headers=HTMX)
    second = door_client.post(toggle, {"action": "guests", "guests_in": "2"}, headers=HTMX)
    too_many = door_client.post(toggle, {"action": "guests", "guests_in": "3"}, headers=HTMX)

    assert announced(first) == "Ada Lovelace: 1 guest in. (1 of 3 in)"
    assert announced(second) == "Ada Lovelace: 2 guests in. (2 of 3 in)"
    assert (too_many.status_code, announced(too_many)) == (422, "Between 0 and 2 guests can be in.")
    assert (
        "data-focus-after-swap>Between 0 and 2 guests can be in.</p>" in too_many.content.decode()
    )
    rsvp.refresh_from_db()
    assert (rsvp.checked_in_at, rsvp.guests_checked_in) == (None, 2)


def test_check_in_without_javascript_redirects_with_the_search_kept(door_client, small_event, ada):
    rsvp = services.rsvp_create(event=small_event, user=ada).rsvp

    response = door_client.post(
        url("check_in_toggle", small_event, pk=rsvp.pk), {"action": "host_in", "q": "ada"}
    )

    assert (response.status_code, response["Location"]) == (
        302,
        url("check_in", small_event) + "?q=ada",
    )


# --- admitting from the waitlist -----------------------------------------------------------


@pytest.fixture
def full(small_event, people, ada):
    """3 seats taken; Ada waits."""
    services.rsvp_create(event=small_event, user=people[0], guests=2)
    return services.rsvp_create(event=small_event, user=ada).rsvp


def test_admit_when_full_with_htmx_asks_to_confirm_in_the_row(door_client, small_event, full):
    response = door_client.post(url("door_admit", small_event, pk=full.pk), headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 409
    assert '<input type="hidden" name="override" value="1">' in html
    assert f'data-focus-key="admit-anyway-{full.pk}">Admit anyway' in html
    assert announced(response).startswith("The event is full (3 of 3 seats taken).")
    full.refresh_from_db()
    assert full.status == "waitlisted"


def test_admit_when_full_without_javascript_confirms_on_the_page(door_client, small_event, full):
    """Guards: the override confirm step works as plain forms."""
    admit = url("door_admit", small_event, pk=full.pk)

    asked = door_client.post(admit)
    confirmed = door_client.post(admit, {"override": "1"})

    html = asked.content.decode()
    assert asked.status_code == 409
    assert (
        '<h2 id="confirm-heading" class="text-lg font-semibold">Admit over capacity?</h2>' in html
    )
    assert f'<form method="post" action="{admit}">' in html
    assert (confirmed.status_code, confirmed["Location"]) == (302, url("check_in", small_event))
    full.refresh_from_db()
    assert (full.status, full.is_checked_in) == ("going", True)


def test_admit_with_override_announces(door_client, small_event, full):
    response = door_client.post(
        url("door_admit", small_event, pk=full.pk), {"override": "1"}, headers=HTMX
    )

    assert response.status_code == 200
    assert announced(response) == "Admitted Ada Lovelace from the waitlist. (1 of 4 in)"


# --- walk-ins ------------------------------------------------------------------------------


def test_walk_in_with_htmx_registers_and_announces(door_client, small_event):
    response = door_client.post(
        url("door_walk_in", small_event), {"name": "Wanda", "email": "w@example.org"}, headers=HTMX
    )

    assert response.status_code == 200
    assert announced(response) == "Checked in Wanda (walk-in). (1 of 1 in)"
    assert "data-focus-after-swap>✓ Checked in Wanda (walk-in).</p>" in response.content.decode()
    rsvp = Rsvp.objects.get()
    assert (rsvp.user.first_name, rsvp.walk_in_email, rsvp.is_checked_in) == (
        "Wanda",
        "w@example.org",
        True,
    )


def test_walk_in_without_javascript_redirects(door_client, small_event):
    response = door_client.post(url("door_walk_in", small_event), {"name": "Wanda"})

    assert (response.status_code, response["Location"]) == (302, url("check_in", small_event))
    assert Rsvp.objects.get().is_walk_in is True


def test_walk_in_without_a_name_is_422_next_to_the_field(door_client, small_event):
    response = door_client.post(url("door_walk_in", small_event), {"name": ""}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 422
    assert '<p class="field-error" id="id_name-error">This field is required.</p>' in html
    assert Rsvp.objects.count() == 0


def test_walk_in_when_full_asks_to_confirm_then_registers(door_client, small_event, full):
    walk_in = url("door_walk_in", small_event)

    asked = door_client.post(walk_in, {"name": "Late Larry"})
    confirmed = door_client.post(walk_in, {"name": "Late Larry", "override": "1"})

    html = asked.content.decode()
    assert asked.status_code == 409
    assert "Register anyway (over capacity)" in html
    assert (
        "<p>The event is full (3 of 3 seats taken). Admitting Late Larry (1 person) takes it "
        "to 4: confirm to admit anyway.</p>"
    ) in html
    assert 'value="Late Larry"' in html
    assert confirmed.status_code == 302
    assert Rsvp.objects.filter(is_walk_in=True).count() == 1


def test_walk_in_is_rate_limited(door_client, small_event, settings):
    """Guards: the walk-in form spends the RSVP write budget."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "rsvp.write": "2/h"}
    walk_in = url("door_walk_in", small_event)

    codes = [door_client.post(walk_in, {"name": f"P{n}"}).status_code for n in range(3)]

    assert codes == [302, 302, 429]
    assert Rsvp.objects.count() == 2


# --- the scan endpoint ---------------------------------------------------------------------


def scan(client, event, ticket, **headers):
    return client.post(url("door_scan", event), {"ticket": ticket}, headers=headers)


def outcome(response) -> str:
    return response.content.decode().split('data-outcome="')[1].split('"')[0]


def test_scan_of_a_ticket_link_checks_in(door_client, small_event, ada):
    rsvp = services.rsvp_create(event=small_event, user=ada, guests=1).rsvp

    response = scan(
        door_client, small_event, "https://meetup.example" + rsvp.get_check_in_url(), **HTMX
    )

    html = response.content.decode()
    assert (response.status_code, outcome(response)) == (200, "in")
    assert 'data-announce="Checked in Ada Lovelace with 1 guest."' in html
    assert '<dd id="door-total-checked-in" hx-swap-oob="true"' in html
    rsvp.refresh_from_db()
    assert (rsvp.is_checked_in, rsvp.guests_checked_in) == (True, 1)


def test_scan_of_a_bare_code_checks_in_and_redirects_without_javascript(
    door_client, small_event, ada
):
    rsvp = services.rsvp_create(event=small_event, user=ada).rsvp

    response = scan(door_client, small_event, rsvp.ticket_token)

    assert (response.status_code, response["Location"]) == (302, url("check_in", small_event))
    rsvp.refresh_from_db()
    assert rsvp.is_checked_in is True


def test_scan_of_a_used_ticket_says_already_used(door_client, small_event, organiser, ada):
    rsvp = services.rsvp_create(event=small_event, user=ada).rsvp
    at = datetime(2026, 3, 5, 19, 30, tzinfo=small_event.tzinfo)
    services.rsvp_check_in(rsvp=rsvp, user=organiser, now=at)

    response = scan(door_client, small_event, rsvp.get_check_in_url(), **HTMX)

    assert (response.status_code, outcome(response)) == (409, "used")
    assert (
        'data-announce="Already used: Ada Lovelace checked in at 7:30 PM."'
        in response.content.decode()
    )


def test_scan_of_a_cancelled_ticket(door_client, small_event, ada):
    rsvp = services.rsvp_create(event=small_event, user=ada).rsvp
    services.rsvp_cancel(rsvp_id=rsvp.pk, user=ada)

    response = scan(door_client, small_event, rsvp.get_check_in_url(), **HTMX)

    assert (response.status_code, outcome(response)) == (409, "refused")
    assert "Cancelled: Ada Lovelace cancelled this RSVP at " in response.content.decode()


def test_scan_of_another_events_ticket(door_client, small_event, group, ada):
    other = factories.make_event(group=group, title="Django Girls")
    rsvp = services.rsvp_create(event=other, user=ada).rsvp

    response = scan(door_client, small_event, rsvp.get_check_in_url(), **HTMX)

    assert (response.status_code, outcome(response)) == (409, "refused")
    assert (
        "Another event: Ada Lovelace&#x27;s ticket is for Django Girls ("
        in response.content.decode()
    )
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


def test_scan_of_an_unknown_ticket_is_422(door_client, small_event):
    response = scan(door_client, small_event, "/check-in/t/nosuchticketnosuchticket/", **HTMX)

    assert (response.status_code, outcome(response)) == (422, "refused")
    assert 'data-announce="Not a ticket for this event."' in response.content.decode()


@pytest.mark.parametrize("text", ["hello world", "https://example.com/", "short"])
def test_scan_of_something_else_is_422(door_client, small_event, text):
    response = scan(door_client, small_event, text, **HTMX)

    assert (response.status_code, outcome(response)) == (422, "refused")
    assert 'data-announce="That is not a ticket code or link."' in response.content.decode()


def test_scan_refusal_without_javascript_shows_the_door_page(door_client, small_event):
    response = scan(door_client, small_event, "/check-in/t/nosuchticketnosuchticket/")

    html = response.content.decode()
    assert response.status_code == 422
    assert '<h1 class="text-2xl font-bold">Door check-in</h1>' in html
    assert "✗ Not a ticket for this event." in html


# --- the attendee list and CSV -------------------------------------------------------------


def test_attendee_csv_names_everyone_and_writes_local_times(door_client, group, organiser):
    """Guards: a self-sign-up's name column is not empty; times are the event's, no microseconds."""
    event = factories.make_event(group=group, time_zone="Australia/Sydney")
    selfie = factories.make_user(username="selfie")
    rsvp = services.rsvp_create(event=event, user=selfie).rsvp
    door.door_walk_in(event=event, user=organiser, name="Wanda", email="w@example.org")
    Rsvp.objects.filter(pk=rsvp.pk).update(
        created_at=datetime(2026, 1, 10, 1, 2, 3, 456789, tzinfo=timezone.UTC)
    )

    response = door_client.get(url("attendees_csv", event))

    body = b"".join(response.streaming_content).decode()

    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][:7] == ["selfie", "selfie", "selfie@example.com", "going", "0", "1",
                           "2026-01-10T12:02:03+11:00"]  # fmt: skip
    assert rows[2][0] == "Wanda"
    assert rows[2][2] == "w@example.org"


def test_attendee_table_stacks_as_cards_on_a_phone(door_client, small_event, organiser):
    door.door_walk_in(event=small_event, user=organiser, name="Wanda", email="w@example.org")

    html = door_client.get(url("attendees", small_event)).content.decode()

    assert '<table class="block w-full text-left text-sm sm:table">' in html
    assert '<span class="text-stone-600 sm:hidden">Email: </span>w@example.org</td>' in html
