"""Emails about RSVPs, sent as background tasks (Django's tasks framework).

Queued by `rsvp.services` after commit with only the RSVP's id, so the task reads current
state. A task that fails (mail server down) is recorded as failed by the backend; the RSVP it
is about is already committed and stays.
"""

import io

import segno
from django.conf import settings
from django.tasks import task

from meetups.ics import event_calendar
from portal.email import email_send

from .models import Rsvp


def _qr_png(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=6, border=2)
    return out.getvalue()


def _rsvp(rsvp_id: int):
    related = ("event", "event__group", "event__venue", "user")
    return Rsvp.objects.select_related(*related).filter(pk=rsvp_id).first()


def _send(*, rsvp, template: str, subject: str, attachments=()) -> bool:
    """Transactional: about this person's own RSVP, so no unsubscribe; the footer says why."""
    context = {
        "rsvp": rsvp,
        "event": rsvp.event,
        "user": rsvp.user,
        "site_url": settings.SITE_URL,
        "event_url": settings.SITE_URL + rsvp.event.get_absolute_url(),
        "ticket_url": settings.SITE_URL + rsvp.get_ticket_url(),
    }
    return email_send(
        to=rsvp.user.email,
        subject=subject,
        template=f"rsvp/{template}",
        context=context,
        reason=f"You get this because you RSVP'd to {rsvp.event.title}. Emails about your own "
        "RSVPs and tickets are always sent.",
        attachments=attachments,
    )


@task
def send_rsvp_confirmation(rsvp_id: int) -> bool:
    """'You're going' with the ticket (QR) and an .ics file, or 'you're on the waitlist'."""
    rsvp = _rsvp(rsvp_id)
    if rsvp is None or rsvp.status == rsvp.Status.CANCELLED:
        return False
    if rsvp.is_waitlisted:
        return _send(rsvp=rsvp, template="waitlisted", subject=f"Waitlist: {rsvp.event.title}")
    return _send(
        rsvp=rsvp,
        template="confirmation",
        subject=f"You're going: {rsvp.event.title}",
        attachments=_ticket_attachments(rsvp),
    )


@task
def send_waitlist_promotion(rsvp_id: int) -> bool:
    rsvp = _rsvp(rsvp_id)
    if rsvp is None or not rsvp.is_going:
        return False
    return _send(
        rsvp=rsvp,
        template="promoted",
        subject=f"A seat opened up: you're going to {rsvp.event.title}",
        attachments=_ticket_attachments(rsvp),
    )


@task
def send_rsvp_cancellation(rsvp_id: int) -> bool:
    rsvp = _rsvp(rsvp_id)
    if rsvp is None or rsvp.status != rsvp.Status.CANCELLED:
        return False
    return _send(rsvp=rsvp, template="cancelled", subject=f"RSVP cancelled: {rsvp.event.title}")


def _ticket_attachments(rsvp) -> list[tuple[str, bytes, str]]:
    check_in_url = settings.SITE_URL + rsvp.get_check_in_url()
    return [
        (f"{rsvp.event.slug}.ics", event_calendar(rsvp.event), "text/calendar"),
        ("ticket-qr.png", _qr_png(check_in_url), "image/png"),
    ]
