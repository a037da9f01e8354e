"""Transactional emails (your ticket, a seat opened up, an organiser's message about your
event) use the one base template: HTML and plain text, why it was sent, no unsubscribe."""

from django.core import mail

from organise.services import attendee_message_send
from rsvp.services import rsvp_create


def test_ticket_email_says_why_and_has_no_unsubscribe(
    event, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rsvp_create(event=event, user=member, guests=0)
    [message] = mail.outbox
    reason = (
        f"You get this because you RSVP'd to {event.title}. Emails about your own RSVPs and "
        "tickets are always sent."
    )
    assert message.body.startswith(f"SyDjango · {event.group.name}\n\nHi member,\n\n")
    assert f"-- \n{reason}\nSyDjango: " in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'<p style="margin:0 0 8px;">{reason}</p>' in html.replace("&#x27;", "'")
    assert "List-Unsubscribe" not in message.message()
    assert [a.filename for a in message.attachments] == [f"{event.slug}.ics", "ticket-qr.png"]


def test_organiser_message_is_transactional_with_html(
    event, organiser, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rsvp_create(event=event, user=member, guests=0)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        attendee_message_send(
            event=event, user=organiser, audience="going", subject="Doors", body="<b>L5</b>"
        )
    [message] = mail.outbox
    assert message.subject == f"[{event.group.name}] Doors"
    assert "\n\n<b>L5</b>\n\n" in message.body
    html, _ = message.alternatives[0]
    assert "&lt;b&gt;L5&lt;/b&gt;" in html
    assert "cancelling your RSVP stops them." in message.body
    assert "List-Unsubscribe" not in message.message()
