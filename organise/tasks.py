"""Emails organisers cause: cancellations, date or venue changes, invitations, messages.

Tasks take ids (queueing backends store their arguments as JSON) and read current rows when
they run. Each person gets their own message, so nobody sees the other addresses. A failed
email is recorded by the tasks backend and never undoes the change it announces.
"""

from django.conf import settings
from django.tasks import task
from django.urls import reverse

from meetups.ics import event_calendar
from meetups.models import Event
from portal.email import email_message, email_send, email_send_batch
from portal.people import display_name

from .models import AttendeeMessage, OrganiserInvitation
from .selectors import rsvp_recipients, users_by_ids

TEMPLATES = "organise"

# All of these are transactional (docs/notify.md): about an event the person RSVP'd to, or an
# invitation to their address. They carry no unsubscribe; the footer says why they were sent,
# and cancelling the RSVP is what stops them.


def _event(event_id: int):

    return Event.objects.select_related("group", "venue").filter(pk=event_id).first()


def _send_each(users, *, subject: str, template: str, context: dict, attachments=()) -> int:
    """Returns how many were sent. One address no email header accepts (saved before the
    portal checked addresses) is logged and skipped; it does not stop the others."""
    event = context.get("event")
    reason = (
        f"You get this because you RSVP'd to {event.title}. Emails about events you RSVP'd to "
        "are always sent; cancelling your RSVP stops them."
    )
    # One connection for the whole batch (the default mailer: SMTP in production).
    return email_send_batch(
        email_message(
            to=user.email,
            subject=subject,
            template=f"{TEMPLATES}/{template}",
            context={**context, "user": user},
            reason=reason,
            attachments=attachments,
        )
        for user in users
    )


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
    inviter = display_name(invitation.invited_by) if invitation.invited_by else "An organiser"
    sent = email_send(
        to=invitation.email,
        subject=f"Help organise {invitation.group.name}",
        template=f"{TEMPLATES}/invitation",
        context={"invitation": invitation, "url": url, "group": invitation.group},
        reason=f"You get this because {inviter} invited this address to help organise "
        f"{invitation.group.name}.",
    )
    return int(sent)


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
