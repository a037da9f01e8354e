"""User text that reaches an email header: refused at input (422 next to the field, on the page
and the API), and a stored value from before the rule never stops the other emails."""

import pytest
from django.core import mail
from django.urls import reverse

from cfp import services as cfp_services
from cfp.models import CallForTalks, ProposalSpeaker
from meetups.models import Event, Venue
from organise import services, tasks
from organise.models import AttendeeMessage, OrganiserInvitation
from portal.errors import ServiceError
from tests import factories
from tests.organise.data import build_world, rsvp
from tests.organise.test_events import _form

pytestmark = pytest.mark.django_db

MESSAGE = reverse("organise:message", kwargs={"group": "sydjango", "event": "november"})
MESSAGE_API = "/api/organise/sydjango/events/november/messages"
HTMX = {"HTTP_HX_REQUEST": "true"}
# The characters of the report, and their neighbours.
BREAKS = ["\r", "\n", "\u2028", "\u0085", "\u2029", "\x0b", "\x00", "\x1b"]
SUBJECT_REFUSED = "Keep the subject on one line, without control characters."


@pytest.mark.parametrize("char", BREAKS)
def test_message_subject_with_a_line_break_is_refused_on_the_page_and_nothing_is_sent(
    client, django_capture_on_commit_callbacks, char
):
    w = build_world()
    client.force_login(w.owner)
    data = {"step": "send", "audience": "going", "subject": f"Doors{char}open", "body": "L5"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(MESSAGE, data, **HTMX)
    assert response.status_code == 422
    # Django's form refuses NUL in any text field first, with its own words.
    refusal = "Null characters are not allowed." if char == "\x00" else SUBJECT_REFUSED
    assert refusal in response.content.decode()
    assert "On its way" not in response.content.decode()
    assert (len(mail.outbox), AttendeeMessage.objects.count()) == (0, 0)


@pytest.mark.parametrize("char", BREAKS)
def test_message_subject_with_a_line_break_is_a_422_on_the_api_and_nothing_is_sent(
    client, django_capture_on_commit_callbacks, char
):
    w = build_world()
    client.force_login(w.owner)
    payload = {"audience": "going", "subject": f"Doors{char}open", "body": "L5"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(MESSAGE_API, payload, content_type="application/json")
    assert response.status_code == 422
    assert (response.json()["kind"], response.json()["field"]) == ("invalid", "subject")
    assert (len(mail.outbox), AttendeeMessage.objects.count()) == (0, 0)


def test_message_body_keeps_its_line_breaks(client, django_capture_on_commit_callbacks):
    w = build_world()
    client.force_login(w.owner)
    data = {"step": "send", "audience": "going", "subject": "Doors", "body": "Level 5.\r\nBye"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(MESSAGE, data)
    assert response.status_code == 302
    assert [m.subject for m in mail.outbox] == ["[Sydney Django] Doors"]
    assert "Level 5.\r\nBye" in mail.outbox[0].body


def test_message_report_counts_what_was_queued_and_a_bad_stored_address_stops_no_one_else(
    client, django_capture_on_commit_callbacks
):
    w = build_world()
    # An address saved before the portal checked them; Django's own validator accepts it.
    broken = factories.make_user(username="broken")
    type(broken).objects.filter(pk=broken.pk).update(email="b@exa\u2028mple.com")
    rsvp(w.event, broken)
    w.event.capacity = 10
    w.event.save()
    client.force_login(w.owner)
    data = {"step": "send", "audience": "going", "subject": "Doors", "body": "L5"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(MESSAGE, data, follow=True)
    record = AttendeeMessage.objects.get()
    assert f"On its way to {record.recipient_count} people." in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == ["member@example.com"]
    assert (
        tasks._send_each(
            [w.member, type(broken).objects.get(pk=broken.pk)],
            subject="x",
            template="attendee_message",
            context={**tasks._event_context(w.event), "message": record},
        )
        == 1
    )


def test_stored_group_name_with_a_line_break_still_builds_every_email(
    client, django_capture_on_commit_callbacks
):
    w = build_world()
    w.group.__class__.objects.filter(pk=w.group.pk).update(name="Sydney\r\nDjango\u2028")
    client.force_login(w.owner)
    data = {"step": "send", "audience": "going", "subject": "Doors", "body": "L5"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(MESSAGE, data)
    assert [m.subject for m in mail.outbox] == ["[Sydney Django ] Doors"]
    mail.outbox[0].message()


# --- invitations: an address no email header accepts is refused, not stored ------------------

BAD_ADDRESSES = ["new\u2028@example.com", "new@exa\u2028mple.com", "new@b\u2029.com",
                 "new@ex\x85ample.com"]  # fmt: skip


@pytest.mark.parametrize("address", BAD_ADDRESSES)
def test_organiser_invitation_to_an_unusable_address_is_refused_and_not_stored(
    client, django_capture_on_commit_callbacks, address
):
    w = build_world()
    url = reverse("organise:organiser_invite", kwargs={"group": "sydjango"})
    client.force_login(w.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": address}, **HTMX)
    assert response.status_code == 422
    assert "Enter a valid email address." in response.content.decode()
    assert (OrganiserInvitation.objects.count(), len(mail.outbox)) == (0, 0)


@pytest.mark.parametrize("address", BAD_ADDRESSES)
def test_organiser_invite_service_refuses_an_unusable_address(address):
    w = build_world()
    with pytest.raises(ServiceError) as refused:
        services.organiser_invite(group=w.group, user=w.owner, email=address)
    assert (refused.value.status, refused.value.field) == (422, "email")
    assert OrganiserInvitation.objects.count() == 0


@pytest.mark.parametrize("address", BAD_ADDRESSES)
def test_co_speaker_invitation_to_an_unusable_address_is_refused_and_not_stored(client, address):
    w = build_world()
    CallForTalks.objects.create(group=w.group)
    proposal = cfp_services.proposal_submit(
        user=w.member, group=w.group, title="Talk", abstract="A", length_minutes=20
    )
    client.force_login(w.member)
    url = reverse("cfp:co_speaker_invite", kwargs={"pk": proposal.pk})
    response = client.post(url, {"email": address}, **HTMX)
    assert response.status_code == 422
    assert "Enter a valid email address." in response.content.decode()
    with pytest.raises(ServiceError) as refused:
        cfp_services.co_speaker_invite(user=w.member, proposal=proposal, email=address)
    assert (refused.value.status, refused.value.field) == (422, "email")
    assert ProposalSpeaker.objects.count() == 0


# --- event titles and venues: one line, on the form and in the service ----------------------


@pytest.mark.parametrize("char", BREAKS)
@pytest.mark.parametrize("field", ["title", "new_venue_name", "new_venue_address"])
def test_event_form_refuses_a_line_break_next_to_the_field(client, field, char):
    w = build_world()
    client.force_login(w.owner)
    data = _form(**{"new_venue_name": "Hall", field: f"Launch{char}party"})
    url = reverse("organise:event_create", kwargs={"group": "sydjango"})
    response = client.post(url, data, **HTMX)
    assert response.status_code == 422
    refusal = (
        "Null characters are not allowed."
        if char == "\x00"
        else "Keep this on one line, without control characters."
    )
    assert refusal in response.content.decode()
    assert Event.objects.filter(title__startswith="Launch").count() == 0
    assert Venue.objects.filter(name__startswith="Launch").count() == 0
