"""Emails organisers cause: cancellations, date or venue changes, invitations, messages.

Tasks take ids (queueing backends store their arguments as JSON) and read current rows when
they run. Each person gets their own message, so nobody sees the other addresses. A failed
email is recorded by the tasks backend and never undoes the change it announces.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse

from meetups.ics import event_calendar
from meetups.models import Event
from portal.text import one_line

from .models import AttendeeMessage, OrganiserInvitation
from .selectors import rsvp_recipients, users_by_ids

TEMPLATES = "organise/email"

logger = logging.getLogger(__name__)


def _event(event_id: int):

    return Event.objects.select_related("group", "venue").filter(pk=event_id).first()


def _send_each(users, *, subject: str, template: str, context: dict, attachments=()) -> int:
    """Returns how many were sent. One address no email header accepts (saved before the
    portal checked addresses) is logged and skipped; it does not stop the others."""
    messages = []
    for user in users:
        message = EmailMessage(
            subject=one_line(subject),
            body=render_to_string(f"{TEMPLATES}/{template}.txt", {**context, "user": user}),
            to=[user.email],
        )
        for attachment in attachments:
            message.attach(*attachment)
        try:
            message.message()
        except ValueError:
            logger.warning("email to user %s not sent: its address cannot be used", user.pk)
            continue
        messages.append(message)
    if not messages:
        return 0
    # One connection for the whole batch (the default mailer: SMTP in production).
    return mailers.default.send_messages(messages) or 0


def _event_context(event) -> dict:
    return {"event": event, "event_url": settings.SITE_URL + event.get_absolute_url()}


@task
def send_event_cancelled(event_id: int, user_ids: list[int], reason: str = "") -> int:
    """'<event> is cancelled' to everyone whose RSVP stood when it was cancelled."""

    event = _event(event_id)
    if event is None or not event.is_cancelled:
        return 0
    return _send_each(
        users_by_ids(user_ids),
        subject=f"Cancelled: {event.title}",
        template="cancelled",
        context={**_event_context(event), "reason": reason},
        attachments=[(f"{event.slug}.ics", event_calendar(event), "text/calendar")],
    )


@task
def send_event_changed(event_id: int, changes: list[str]) -> int:
    """The new date, time or venue, with an updated calendar file, to everyone still coming."""

    event = _event(event_id)
    if event is None or event.status != event.Status.PUBLISHED:
        return 0
    return _send_each(
        rsvp_recipients(event=event),
        subject=f"Changed: {event.title}",
        template="changed",
        context={**_event_context(event), "changes": changes},
        attachments=[(f"{event.slug}.ics", event_calendar(event), "text/calendar")],
    )


@task
def send_organiser_invitation(invitation_id: int) -> int:

    invitation = (
        OrganiserInvitation.objects.select_related("group", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.is_pending():
        return 0
    url = settings.SITE_URL + reverse(
        "organise:invitation_accept", kwargs={"token": invitation.token}
    )
    message = EmailMessage(
        subject=one_line(f"Help organise {invitation.group.name}"),
        body=render_to_string(
            f"{TEMPLATES}/invitation.txt", {"invitation": invitation, "url": url}
        ),
        to=[invitation.email],
    )
    return message.send()


@task
def send_attendee_message(message_id: int, user_ids: list[int]) -> int:
    """One organiser message, to the people chosen when it was sent."""

    record = (
        AttendeeMessage.objects.select_related("event", "event__group", "sender")
        .filter(pk=message_id)
        .first()
    )
    if record is None:
        return 0
    return _send_each(
        users_by_ids(user_ids),
        subject=f"[{record.event.group.name}] {record.subject}",
        template="attendee_message",
        context={**_event_context(record.event), "message": record},
    )
