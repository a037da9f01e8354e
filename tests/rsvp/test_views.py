import csv
import io
import json
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from rsvp import services
from rsvp.models import Rsvp, RsvpSettings
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def url(name, event, **kwargs):
    return reverse(f"rsvp:{name}", kwargs={"slug": event.slug, **kwargs})


def login_url(back: str) -> str:
    return reverse("account_login") + "?" + urlencode({"next": back})


def test_event_page_shows_seats_left_and_a_login_link_to_anonymous(client, small_event, people):
    services.rsvp_create(event=small_event, user=people[0], guests=1)

    response = client.get(small_event.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="rsvp-panel"' in html
    assert '<strong class="text-base text-stone-900">1</strong> of 3 seats left' in html
    login = reverse("account_login") + "?next=" + small_event.get_absolute_url()
    assert f'href="{login}"' in html


def test_rsvp_create_as_anonymous_redirects_to_login_and_back(client, small_event):
    response = client.post(url("create", small_event), {"guests": "0"})

    assert response.status_code == 302
    assert response["Location"] == login_url(small_event.get_absolute_url())
    htmx = client.post(url("create", small_event), {"guests": "0"}, headers=HTMX)
    assert htmx["HX-Redirect"] == login_url(small_event.get_absolute_url())
    assert Rsvp.objects.count() == 0


def test_rsvp_create_htmx_answers_the_panel_and_triggers_rsvp_changed(client, small_event, member):
    client.force_login(member)

    response = client.post(url("create", small_event), {"guests": "1"}, headers=HTMX)

    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"]) == {
        "rsvpChanged": {"event_id": small_event.pk},
        "announce": {"message": "You're going! Your ticket is on its way by email."},
    }
    html = response.content.decode()
    assert "You're going with 1 guest." in html
    assert Rsvp.objects.get().guests == 1


def test_rsvp_create_without_htmx_redirects_to_the_event(client, small_event, member):
    client.force_login(member)

    response = client.post(url("create", small_event), {"guests": "0"})

    assert response.status_code == 302
    assert response["Location"] == small_event.get_absolute_url() + "#rsvp-panel"
    page = client.get(response["Location"]).content.decode()
    assert "You&#x27;re going! Your ticket is on its way by email." in page


def test_rsvp_create_double_post_changes_nothing(client, small_event, member):
    client.force_login(member)

    first = client.post(url("create", small_event), {"guests": "1"}, headers=HTMX)
    second = client.post(url("create", small_event), {"guests": "1"}, headers=HTMX)

    assert (first.status_code, second.status_code) == (200, 200)
    assert list(Rsvp.objects.values_list("user__username", "status", "guests")) == [
        ("member", "going", 1)
    ]


@pytest.mark.parametrize(
    ("guests", "message"),
    [("-1", "Choose between 0 and 2 guests."), ("3", "Choose between 0 and 2 guests."),
     ("many", "Choose between 0 and 2 guests.")],
)  # fmt: skip
def test_rsvp_create_with_bad_guests_answers_the_message_and_changes_nothing(
    client, small_event, member, guests, message
):
    client.force_login(member)

    htmx = client.post(url("create", small_event), {"guests": guests}, headers=HTMX)
    plain = client.post(url("create", small_event), {"guests": guests})

    assert htmx.status_code == 422
    assert message in htmx.content.decode()
    assert plain.status_code == 422
    assert message in plain.content.decode()
    assert Rsvp.objects.count() == 0


def test_rsvp_create_when_closed_says_why_with_409(client, small_event, member):
    RsvpSettings.objects.filter(event=small_event).update(
        closes_at=timezone.now() - timedelta(minutes=1)
    )
    client.force_login(member)

    response = client.post(url("create", small_event), {"guests": "0"})

    assert response.status_code == 409
    assert "RSVPs for this event are closed." in response.content.decode()
    assert Rsvp.objects.count() == 0


def test_rsvp_create_for_an_unknown_or_draft_event_is_404(client, group, member):
    draft = factories.make_event(group=group, status="draft")
    client.force_login(member)

    assert client.post("/events/nope/rsvp/going/", {"guests": "0"}).status_code == 404
    assert client.post(url("create", draft), {"guests": "0"}).status_code == 404
    assert Rsvp.objects.count() == 0


def test_rsvp_panel_shows_waitlist_position(client, small_event, people):
    services.rsvp_create(event=small_event, user=people[0], guests=2)
    services.rsvp_create(event=small_event, user=people[1])
    services.rsvp_create(event=small_event, user=people[2], guests=1)
    client.force_login(people[2])

    html = client.get(small_event.get_absolute_url()).content.decode()

    assert "You're number 2 on the waitlist (you + 1)." in html
    assert "Leave the waitlist" in html


def test_rsvp_guests_change_too_many_answers_409_and_keeps_the_rsvp(client, small_event, people):
    services.rsvp_create(event=small_event, user=people[0])
    services.rsvp_create(event=small_event, user=people[1], guests=1)
    client.force_login(people[0])

    response = client.post(url("guests", small_event), {"guests": "2"})

    assert response.status_code == 409
    assert "The event is full, so you can&#x27;t add guests now." in response.content.decode()
    assert Rsvp.objects.get(user=people[0]).guests == 0


def test_rsvp_cancel_htmx_frees_the_seat(client, small_event, member):
    services.rsvp_create(event=small_event, user=member, guests=2)
    client.force_login(member)

    response = client.post(url("cancel", small_event), headers=HTMX)

    assert response.status_code == 200
    assert "Your RSVP is cancelled." in response.content.decode()
    assert "3</strong> of 3 seats left" in response.content.decode()
    assert Rsvp.objects.get().status == Rsvp.Status.CANCELLED


def test_rsvp_cancel_without_an_rsvp_is_404(client, small_event, member):
    client.force_login(member)

    assert client.post(url("cancel", small_event)).status_code == 404


def test_ticket_shows_the_qr_code_to_its_owner_only(client, small_event, people, organiser):
    rsvp = services.rsvp_create(event=small_event, user=people[0], guests=1).rsvp
    client.force_login(people[0])

    response = client.get(rsvp.get_ticket_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html
    assert "<title>Check-in code for this ticket</title>" in html
    assert "You + 1 guest" in html
    client.force_login(people[1])
    assert client.get(rsvp.get_ticket_url()).status_code == 404
    client.force_login(organiser)
    assert client.get(rsvp.get_ticket_url()).status_code == 404


def test_ticket_check_in_link_gives_organisers_one_tap(client, small_event, people, organiser):
    rsvp = services.rsvp_create(event=small_event, user=people[0], guests=1).rsvp
    client.force_login(organiser)

    page = client.get(rsvp.get_check_in_url())
    tapped = client.post(rsvp.get_check_in_url())

    assert page.status_code == 200
    assert "Check in 2 people" in page.content.decode()
    assert tapped.status_code == 302
    rsvp.refresh_from_db()
    assert rsvp.checked_in_by == organiser
    assert "✓ Checked in" in client.get(rsvp.get_check_in_url()).content.decode()


def test_ticket_check_in_link_shows_nothing_to_anyone_else(client, small_event, people):
    rsvp = services.rsvp_create(event=small_event, user=people[0]).rsvp

    anonymous = client.get(rsvp.get_check_in_url())
    client.force_login(people[0])
    owner = client.get(rsvp.get_check_in_url())
    owner_post = client.post(rsvp.get_check_in_url())
    forged = client.get(reverse("rsvp:ticket_check_in", kwargs={"token": "x" * 32}))

    assert (anonymous.status_code, owner.status_code, owner_post.status_code) == (404, 404, 404)
    assert forged.status_code == 404
    assert people[0].email not in owner.content.decode()
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


def test_check_in_page_is_404_for_non_organisers(client, small_event, people, member):
    rsvp = services.rsvp_create(event=small_event, user=people[0]).rsvp
    client.force_login(member)

    assert client.get(url("check_in", small_event)).status_code == 404
    assert client.post(url("check_in_toggle", small_event, pk=rsvp.pk)).status_code == 404
    assert client.get(url("attendees", small_event)).status_code == 404
    assert client.get(url("attendees_csv", small_event)).status_code == 404
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


def test_check_in_search_finds_by_name_or_email(client, small_event, organiser):
    ada = factories.make_user(username="ada", first_name="Ada", last_name="Lovelace")
    bob = factories.make_user(username="bob", email="bob@builders.test")
    for person in (ada, bob):
        services.rsvp_create(event=small_event, user=person)
    client.force_login(organiser)

    by_name = client.get(
        url("check_in", small_event),
        {"q": "lovel"},
        headers={**HTMX, "HX-Target": "check-in-results"},
    )
    by_email = client.get(url("check_in", small_event), {"q": "builders"})

    assert by_name.content.decode().count('id="check-in-') == 2  # the results div and Ada's row
    assert "Ada Lovelace" in by_name.content.decode()
    assert "<html" not in by_name.content.decode()
    assert "bob@builders.test" in by_email.content.decode()
    assert "Ada Lovelace" not in by_email.content.decode()


def test_check_in_search_ignores_an_overlong_query(client, small_event, organiser, member):
    services.rsvp_create(event=small_event, user=member)
    client.force_login(organiser)

    response = client.get(url("check_in", small_event), {"q": "m" * 500})

    assert response.status_code == 200
    assert "member@example.com" in response.content.decode()


def test_check_in_toggle_htmx_swaps_the_row_and_totals(client, small_event, organiser, member):
    rsvp = services.rsvp_create(event=small_event, user=member, guests=2).rsvp
    client.force_login(organiser)

    response = client.post(url("check_in_toggle", small_event, pk=rsvp.pk), headers=HTMX)
    undo = client.post(url("check_in_toggle", small_event, pk=rsvp.pk), {"undo": "1"}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="check-in-{rsvp.pk}"' in html
    # Only the numbers are swapped out of band: the totals are not a live region that would
    # re-announce (the result is announced once through #announcer).
    assert "aria-live" not in html
    assert (
        '<dd id="door-total-checked-in" hx-swap-oob="true" '
        'class="text-2xl font-bold tabular-nums text-brand-900">3</dd>' in html
    )
    assert (
        '<dd id="door-total-checked-in" hx-swap-oob="true" '
        'class="text-2xl font-bold tabular-nums text-brand-900">0</dd>' in undo.content.decode()
    )
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


def test_check_in_toggle_of_another_events_rsvp_is_404(
    client, small_event, group, organiser, member
):
    other = factories.make_event(group=group)
    rsvp = services.rsvp_create(event=other, user=member).rsvp
    client.force_login(organiser)

    response = client.post(url("check_in_toggle", small_event, pk=rsvp.pk))

    assert response.status_code == 404
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


def test_attendees_filters_by_status(client, small_event, organiser, people):
    services.rsvp_create(event=small_event, user=people[0], guests=2)
    services.rsvp_create(event=small_event, user=people[1])
    client.force_login(organiser)

    going = client.get(url("attendees", small_event), {"status": "going"}).content.decode()
    waiting = client.get(url("attendees", small_event), {"status": "waitlisted"}).content.decode()

    assert ("p0@example.com" in going, "p1@example.com" in going) == (True, False)
    assert ("p0@example.com" in waiting, "p1@example.com" in waiting) == (False, True)


def test_attendees_csv_exports_the_filtered_list(client, small_event, organiser, people):
    services.rsvp_create(event=small_event, user=people[0], guests=2)
    services.rsvp_create(event=small_event, user=people[1])
    evil = factories.make_user(username="evil", email="=cmd@example.com")
    services.rsvp_create(event=small_event, user=evil)
    client.force_login(organiser)

    response = client.get(url("attendees_csv", small_event), {"status": "waitlisted"})

    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{small_event.slug}-attendees.csv"'
    )
    assert rows[0] == [
        "name",
        "username",
        "email",
        "status",
        "guests",
        "seats",
        "rsvp_at",
        "checked_in_at",
    ]
    assert [row[:6] for row in rows[1:]] == [
        ["p1", "p1", "p1@example.com", "waitlisted", "0", "1"],
        ["evil", "evil", "'=cmd@example.com", "waitlisted", "0", "1"],
    ]


def test_attendees_csv_writes_times_in_the_events_zone_to_the_second(
    client, small_event, organiser, member
):
    small_event.time_zone = "Europe/Berlin"
    small_event.save(update_fields=["time_zone"])
    rsvp = services.rsvp_create(event=small_event, user=member).rsvp
    services.rsvp_check_in(rsvp=rsvp, user=organiser)
    rsvp.refresh_from_db()
    client.force_login(organiser)

    response = client.get(url("attendees_csv", small_event))

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    berlin = small_event.tzinfo
    assert rows[1][6:] == [
        timezone.localtime(rsvp.created_at, berlin).replace(microsecond=0).isoformat(),
        timezone.localtime(rsvp.checked_in_at, berlin).replace(microsecond=0).isoformat(),
    ]
    assert rows[1][6][-6:] in ("+01:00", "+02:00")


def test_my_events_lists_upcoming_and_past(client, group, member):
    upcoming = factories.make_event(group=group, title="Soon")
    past = factories.make_event(group=group, title="Before", starts_in=-timedelta(days=3))
    services.rsvp_create(event=upcoming, user=member)
    Rsvp.objects.create(event=past, user=member, status="going", queued_at=timezone.now())
    client.force_login(member)

    html = client.get(reverse("rsvp:my_events")).content.decode()

    assert html.index("Soon") < html.index('id="my-past-heading"') < html.index("Before")


def test_my_events_requires_login(client):
    response = client.get(reverse("rsvp:my_events"))

    assert response.status_code == 302


def test_home_spaces_shows_real_seats_left(client, group, member):
    event = factories.make_event(group=group, capacity=10)
    services.rsvp_create(event=event, user=member, guests=1)

    html = client.get(reverse("home")).content.decode()

    assert '<dd class="font-medium" id="next-event-spaces">8 of 10 seats left</dd>' in html


def test_rsvp_writes_are_rate_limited(client, small_event, member, stopped_clock):
    client.force_login(member)
    statuses = [
        client.post(url("create", small_event), {"guests": "0"}, headers=HTMX).status_code
        for _ in range(30)
    ]

    response = client.post(url("create", small_event), {"guests": "0"}, headers=HTMX)

    assert statuses == [200] * 30
    assert response.status_code == 429
    assert (
        "You are going a little fast: this can be done 30 times a minute. Please wait a minute "
        "and try again." in response.content.decode()
    )
    assert 'id="rsvp-panel"' in response.content.decode()


def test_rsvp_page_and_api_writes_share_one_rate_budget(
    client, small_event, member, settings, stopped_clock
):
    # An hour-long window: a minute-long one could roll over mid-test and reset the count.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "rsvp.write": "3/h"}
    client.force_login(member)
    going = client.post(url("create", small_event), {"guests": "0"})
    cancelled = client.post(url("cancel", small_event))
    # The test client skips CSRF checks, so its session reaches the API as a browser's would.
    again = client.post(
        f"/api/events/{small_event.slug}/rsvp", {"guests": 0}, content_type="application/json"
    )
    refused = client.post(url("create", small_event), {"guests": "0"})

    assert [r.status_code for r in (going, cancelled, again, refused)] == [302, 302, 201, 429]
    assert (
        "You are going a little fast: this can be done 3 times an hour. Please wait an hour and "
        "try again." in refused.content.decode()
    )


def test_event_page_panel_links_organisers_to_the_door(client, small_event, organiser, member):
    door = reverse("rsvp:check_in", kwargs={"slug": small_event.slug})
    client.force_login(member)
    as_member = client.get(small_event.get_absolute_url()).content.decode()
    client.force_login(organiser)
    as_organiser = client.get(small_event.get_absolute_url()).content.decode()

    assert (f'href="{door}"' in as_member, f'href="{door}"' in as_organiser) == (False, True)


def test_check_in_toggle_of_a_cancelled_rsvp_answers_the_row_with_the_reason(
    client, small_event, organiser, member
):
    rsvp = services.rsvp_create(event=small_event, user=member).rsvp
    services.rsvp_cancel(rsvp_id=rsvp.pk, user=member)
    client.force_login(organiser)

    response = client.post(url("check_in_toggle", small_event, pk=rsvp.pk), headers=HTMX)

    assert response.status_code == 409
    assert "Only people who are going can be checked in." in response.content.decode()
    assert f'<li id="check-in-{rsvp.pk}"' in response.content.decode()


def test_past_event_page_has_no_rsvp_panel_for_people_who_did_not_rsvp(client, past_event, member):
    client.force_login(member)

    html = client.get(past_event.get_absolute_url()).content.decode()
    Rsvp.objects.create(event=past_event, user=member, status="going", queued_at=timezone.now())
    went = client.get(past_event.get_absolute_url()).content.decode()

    assert 'id="rsvp-panel"' not in html
    assert "You went." in went
