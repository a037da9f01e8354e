"""Organisers create, edit, publish, cancel and duplicate events; forms refuse bad input."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from meetups.models import Event, Venue
from rsvp.models import RsvpSettings
from tests import factories
from tests.organise.data import build_world, rsvp

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _form(**overrides) -> dict:
    data = {
        "title": "December meetup",
        "starts_at": "2030-12-05T18:00",
        "ends_at": "2030-12-05T21:00",
        "time_zone": "Australia/Sydney",
        "venue": "",
        "new_venue_name": "",
        "new_venue_address": "",
        "host_sponsor": "",
        "capacity": "60",
        "description": "Talks and pizza.",
        "recording_url": "",
        "guests_allowed": "2",
        "rsvp_opens_at": "",
        "rsvp_closes_at": "2030-12-05T12:00",
        "waitlist_cutoff_at": "",
    }
    data.update(overrides)
    return data


def test_event_create_makes_a_draft_in_the_chosen_time_zone(client):
    w = build_world()
    client.force_login(w.co_organiser)
    response = client.post(reverse("organise:event_create", kwargs={"group": "sydjango"}), _form())
    event = Event.objects.get(title="December meetup")
    settings = RsvpSettings.objects.get(event=event)
    assert response.status_code == 302
    assert response["Location"] == f"/organise/sydjango/{event.slug}/"
    assert (event.status, event.group, event.capacity) == ("draft", w.group, 60)
    # 18:00 in Sydney in December (AEDT, UTC+11) is 07:00 UTC.
    assert event.starts_at == datetime(2030, 12, 5, 7, 0, tzinfo=UTC)
    assert (settings.guests_allowed, settings.closes_at) == (
        2,
        datetime(2030, 12, 5, 1, 0, tzinfo=UTC),
    )


def test_event_create_draft_is_invisible_to_the_public(client):
    w = build_world()
    client.force_login(w.owner)
    client.post(reverse("organise:event_create", kwargs={"group": "sydjango"}), _form())
    event = Event.objects.get(title="December meetup")
    client.logout()
    client.force_login(w.member)
    assert client.get(event.get_absolute_url()).status_code == 404
    assert "December meetup" not in client.get("/").content.decode()


def test_event_create_with_a_new_venue_adds_the_venue(client):
    w = build_world()
    client.force_login(w.owner)
    client.post(
        reverse("organise:event_create", kwargs={"group": "sydjango"}),
        _form(new_venue_name="Canva HQ", new_venue_address="110 Kippax St"),
    )
    event = Event.objects.select_related("venue").get(title="December meetup")
    assert (event.venue.name, event.venue.address) == ("Canva HQ", "110 Kippax St")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"ends_at": "2030-12-05T17:00"}, "ends_at", "The event must end after it starts."),
        ({"starts_at": "tomorrow-ish"}, "starts_at", "Enter a valid date/time."),
        ({"capacity": "0"}, "capacity", "Ensure this value is greater than or equal to 1."),
        ({"guests_allowed": "-1"}, "guests_allowed",
         "Ensure this value is greater than or equal to 0."),
        ({"time_zone": "Mars/Olympus"}, "time_zone",
         "Select a valid choice. Mars/Olympus is not one of the available choices."),
        ({"recording_url": "javascript:alert(1)"}, "recording_url", "Enter a valid URL."),
        ({"rsvp_closes_at": "2030-12-06T12:00"}, "rsvp_closes_at",
         "RSVPs cannot close after the event ends."),
        ({"new_venue_address": "Somewhere"}, "new_venue_name", "Give the new venue a name."),
    ],
)  # fmt: skip
def test_event_create_rejects_bad_input_inline_with_422(client, overrides, field, message):
    w = build_world()
    client.force_login(w.owner)
    count = Event.objects.count()
    response = client.post(
        reverse("organise:event_create", kwargs={"group": "sydjango"}),
        _form(**overrides),
        **HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert body.lstrip().startswith('<form id="event-form"')
    assert f'<p class="field-error" id="id_{field}_error">{message}</p>' in body
    assert Event.objects.count() == count


def test_event_create_without_htmx_rerenders_the_page_with_422(client):
    w = build_world()
    client.force_login(w.owner)
    response = client.post(
        reverse("organise:event_create", kwargs={"group": "sydjango"}), _form(title="")
    )
    assert response.status_code == 422
    assert "<!DOCTYPE html>" in response.content.decode()


def test_event_create_with_venue_and_new_venue_is_refused(client):
    w = build_world()
    client.force_login(w.owner)
    venue = factories.make_venue(name="Atlassian")
    response = client.post(
        reverse("organise:event_create", kwargs={"group": "sydjango"}),
        _form(venue=str(venue.pk), new_venue_name="Canva"),
        **HTMX,
    )
    assert response.status_code == 422
    assert "Pick a venue from the list or add a new one, not both." in response.content.decode()
    assert Venue.objects.count() == 1


def _edit(client, w, **overrides):
    event = w.event
    local = timezone.localtime(event.starts_at, event.tzinfo)
    end = timezone.localtime(event.ends_at, event.tzinfo)
    data = _form(
        title=event.title,
        starts_at=local.strftime("%Y-%m-%dT%H:%M"),
        ends_at=end.strftime("%Y-%m-%dT%H:%M"),
        capacity=str(event.capacity),
        rsvp_closes_at="",
        time_zone=event.time_zone,
    )
    data.update(overrides)
    url = reverse("organise:event_edit", kwargs={"group": "sydjango", "event": event.slug})
    return client.post(url, data)


def test_event_edit_new_time_emails_everyone_who_rsvpd_with_an_ics(
    client, django_capture_on_commit_callbacks
):
    w = build_world()
    client.force_login(w.owner)
    new_start = timezone.localtime(w.event.starts_at + timedelta(days=1), w.event.tzinfo)
    new_end = new_start + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = _edit(
            client,
            w,
            starts_at=new_start.strftime("%Y-%m-%dT%H:%M"),
            ends_at=new_end.strftime("%Y-%m-%dT%H:%M"),
        )
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["member@example.com", "speaker@example.com"]
    message = mail.outbox[0]
    assert message.subject == "Changed: November meetup"
    ics = message.attachments[0]
    assert (ics.filename, ics.mimetype) == ("november.ics", "text/calendar")
    assert new_start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") in ics.content


def test_event_edit_new_venue_emails_attendees(client, django_capture_on_commit_callbacks):
    w = build_world()
    client.force_login(w.owner)
    with django_capture_on_commit_callbacks(execute=True):
        _edit(client, w, new_venue_name="Canva HQ")
    assert [m.subject for m in mail.outbox] == ["Changed: November meetup"] * 2
    assert "Where: Canva HQ" in mail.outbox[0].body


def test_event_edit_of_the_description_emails_nobody(client, django_capture_on_commit_callbacks):
    w = build_world()
    client.force_login(w.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = _edit(client, w, description="Now with more pizza.")
    w.event.refresh_from_db()
    assert (response.status_code, w.event.description, len(mail.outbox)) == (
        302,
        "Now with more pizza.",
        0,
    )


def test_event_edit_capacity_below_seats_taken_is_refused(client):
    w = build_world()
    client.force_login(w.owner)
    response = _edit(client, w, capacity="1")
    w.event.refresh_from_db()
    # Seats already taken: a conflict with the event's state (409), shown next to the field.
    assert response.status_code == 409
    assert "2 seats are already taken; the capacity cannot go below that." in (
        response.content.decode()
    )
    assert w.event.capacity == 2


def test_event_publish_makes_a_draft_public(client):
    w = build_world()
    client.force_login(w.owner)
    url = reverse("organise:event_publish", kwargs={"group": "sydjango", "event": "secret-draft"})
    response = client.post(url)
    w.draft.refresh_from_db()
    assert (response.status_code, w.draft.status) == (302, "published")
    client.logout()
    assert client.get(w.draft.get_absolute_url()).status_code == 200


def test_event_unpublish_takes_a_published_event_without_rsvps_back_to_draft(client):
    """Guards against the page's "back to draft" not reaching `event_unpublish`, or the service
    not saving the draft status: the event would stay public."""
    w = build_world()
    quiet = factories.make_event(group=w.group, slug="quiet", title="Quiet evening")
    client.force_login(w.owner)
    url = reverse("organise:event_publish", kwargs={"group": "sydjango", "event": "quiet"})

    response = client.post(url, {"to": "draft"})

    assert (response.status_code, response["Location"]) == (302, "/organise/sydjango/quiet/")
    quiet.refresh_from_db()
    assert quiet.status == "draft"
    dashboard = client.get(response["Location"])
    assert [str(m) for m in dashboard.context["messages"]] == [
        "Back to draft: only organisers can see it."
    ]
    client.logout()
    assert client.get(quiet.get_absolute_url()).status_code == 404


def test_event_unpublish_of_a_draft_is_refused(client):
    w = build_world()
    client.force_login(w.owner)
    url = reverse("organise:event_publish", kwargs={"group": "sydjango", "event": "secret-draft"})

    response = client.post(url, {"to": "draft"}, **HTMX)

    w.draft.refresh_from_db()
    assert (response.status_code, w.draft.status) == (409, "draft")
    assert response.content.decode().count("Only a published event can go back to draft.") == 1


def test_event_unpublish_refused_once_people_rsvpd(client):
    w = build_world()
    client.force_login(w.owner)
    url = reverse("organise:event_publish", kwargs={"group": "sydjango", "event": "november"})
    response = client.post(url, {"to": "draft"})
    w.event.refresh_from_db()
    assert (response.status_code, w.event.status) == (409, "published")
    assert "People have RSVP&#x27;d: cancel the event instead" in response.content.decode()


def test_event_cancel_emails_everyone_who_rsvpd(client, django_capture_on_commit_callbacks):
    w = build_world()
    client.force_login(w.co_organiser)
    url = reverse("organise:event_cancel", kwargs={"group": "sydjango", "event": "november"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"confirm": "on", "reason": "The venue flooded."})
    w.event.refresh_from_db()
    assert (response.status_code, w.event.status) == (302, "cancelled")
    assert sorted(m.to[0] for m in mail.outbox) == ["member@example.com", "speaker@example.com"]
    assert mail.outbox[0].subject == "Cancelled: November meetup"
    assert "From the organisers: The venue flooded." in mail.outbox[0].body
    assert "STATUS:CANCELLED" in mail.outbox[0].attachments[0].content


def test_event_cancel_without_confirming_changes_nothing(
    client, django_capture_on_commit_callbacks
):
    w = build_world()
    client.force_login(w.owner)
    url = reverse("organise:event_cancel", kwargs={"group": "sydjango", "event": "november"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "oops"}, **HTMX)
    w.event.refresh_from_db()
    assert (response.status_code, w.event.status, len(mail.outbox)) == (422, "published", 0)
    assert "Tick the box to confirm the cancellation." in response.content.decode()


def test_event_cancel_skips_cancelled_rsvps(client, django_capture_on_commit_callbacks):
    w = build_world()
    gone = factories.make_user(username="gone")
    rsvp(w.event, gone, status="cancelled")
    client.force_login(w.owner)
    url = reverse("organise:event_cancel", kwargs={"group": "sydjango", "event": "november"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"confirm": "on"})
    assert "gone@example.com" not in [m.to[0] for m in mail.outbox]


def test_event_duplicate_copies_details_as_a_draft(client):
    w = build_world()
    RsvpSettings.objects.create(event=w.event, guests_allowed=0)
    client.force_login(w.owner)
    url = reverse("organise:event_duplicate", kwargs={"group": "sydjango", "event": "november"})
    response = client.post(url, {"starts_at": "2031-02-03T18:30"})
    copy = Event.objects.exclude(pk=w.event.pk).get(title="November meetup", group=w.group)
    assert response.status_code == 302
    assert (copy.status, copy.capacity, copy.ends_at - copy.starts_at) == (
        "draft",
        2,
        timedelta(hours=2),
    )
    assert copy.starts_at == datetime(2031, 2, 3, 7, 30, tzinfo=UTC)
    assert (copy.talks.count(), copy.rsvps.count(), copy.rsvp_settings.guests_allowed) == (0, 0, 0)


def test_event_duplicate_refuses_a_past_start(client):
    w = build_world()
    client.force_login(w.owner)
    count = Event.objects.count()
    url = reverse("organise:event_duplicate", kwargs={"group": "sydjango", "event": "november"})
    response = client.post(url, {"starts_at": "2001-02-03T18:30"}, **HTMX)
    assert response.status_code == 422
    assert "Choose a start in the future." in response.content.decode()
    assert Event.objects.count() == count
