"""Sending reminders and recaps, each to each person exactly once (run by `reminders.tasks`).

Per person, one transaction: lock the RSVP row, check that the RSVP, the event and its time
still stand, insert the `Delivery` row (unique per event, person, kind, offset and event time),
send, commit. A second worker doing the same person blocks on the lock, then finds the row and
skips; a worker killed before the commit leaves no row, so a re-run sends it. docs/reminders.md
has the argument.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from meetups.ics import event_calendar
from meetups.models import Event
from notify.preferences import wants
from notify.unsubscribe import unsubscribe_headers, unsubscribe_url
from portal.email import email_send
from rsvp.models import Rsvp
from rsvp.selectors import waitlist_position

from . import selectors
from .models import Delivery, Kind

logger = logging.getLogger(__name__)


@dataclass
class Letter:
    subject: str
    template: str
    context: dict
    reason: str
    attachments: list = field(default_factory=list)
    waitlist_position: int | None = None


class _NotSent(Exception):
    """The mailer did not take the message: undo the claim so a re-run may try again."""


def reminders_send(*, event_id: int, offset_minutes: int, for_time: datetime) -> int:
    """Remind everyone going or waitlisted for the event `offset_minutes` before it starts at
    `for_time`; returns how many emails went. Sends nothing if the event was cancelled, moved
    (the move queued new reminders), has started, no longer has this offset, or a later
    reminder of it is due already (a worker that was down sends only the latest one)."""
    event = Event.objects.filter(pk=event_id).first()
    now = timezone.now()
    if event is None or not _reminder_stands(event, for_time=for_time, now=now):
        return 0
    offsets = selectors.reminder_offsets(event=event)
    if offset_minutes not in offsets:
        return 0
    if any(o < offset_minutes and event.starts_at - timedelta(minutes=o) <= now for o in offsets):
        return 0
    return _send_each(
        rsvp_ids=selectors.reminder_rsvp_ids(event=event),
        kind=Kind.REMINDER,
        offset_minutes=offset_minutes,
        for_time=for_time,
        category="reminders",
        stands=lambda rsvp: (
            rsvp.status in (Rsvp.Status.GOING, Rsvp.Status.WAITLISTED)
            and _reminder_stands(rsvp.event, for_time=for_time, now=timezone.now())
        ),
        compose=_reminder_letter,
    )


def recap_send(*, event_id: int, offset_minutes: int, for_time: datetime) -> int:
    """Email the recap to the event's attendees (checked in; everyone going if nobody was);
    returns how many went. Nothing if the event was cancelled or its end moved."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None or not _recap_stands(event, for_time=for_time):
        return 0
    talks = selectors.recap_talks(event=event)
    return _send_each(
        rsvp_ids=selectors.recap_rsvp_ids(event=event),
        kind=Kind.RECAP,
        offset_minutes=offset_minutes,
        for_time=for_time,
        category="recaps",
        stands=lambda rsvp: (
            rsvp.status == Rsvp.Status.GOING and _recap_stands(rsvp.event, for_time=for_time)
        ),
        compose=lambda rsvp: _recap_letter(rsvp, talks=talks),
    )


def _reminder_stands(event: Event, *, for_time: datetime, now: datetime) -> bool:
    return event.status == Event.Status.PUBLISHED and event.starts_at == for_time and now < for_time


def _recap_stands(event: Event, *, for_time: datetime) -> bool:
    return event.status == Event.Status.PUBLISHED and event.ends_at == for_time


def _send_each(
    *,
    rsvp_ids: list[int],
    kind: str,
    offset_minutes: int,
    for_time: datetime,
    category: str,
    stands: Callable[[Rsvp], bool],
    compose: Callable[[Rsvp], Letter],
) -> int:
    sent = 0
    for rsvp_id in rsvp_ids:
        try:
            with transaction.atomic():
                sent += _send_one(
                    rsvp_id=rsvp_id,
                    kind=kind,
                    offset_minutes=offset_minutes,
                    for_time=for_time,
                    category=category,
                    stands=stands,
                    compose=compose,
                )
        except IntegrityError:
            pass  # sent already: by another worker, or by a run before this one
        except _NotSent:
            logger.warning("%s for RSVP %s not sent: the mailer refused it", kind, rsvp_id)
    return sent


def _send_one(*, rsvp_id, kind, offset_minutes, for_time, category, stands, compose) -> int:
    # The lock orders this send after a cancellation in flight, and before the next one.
    rsvp = (
        Rsvp.objects.select_for_update(of=("self",))
        .select_related("user", "event", "event__group", "event__venue")
        .filter(pk=rsvp_id)
        .first()
    )
    if rsvp is None or not stands(rsvp):
        return 0
    event, user = rsvp.event, rsvp.user
    if not wants(user=user, group=event.group, category=category):
        return 0
    letter = compose(rsvp)
    Delivery.objects.create(
        event=event,
        user=user,
        kind=kind,
        offset_minutes=offset_minutes,
        for_time=for_time,
        waitlist_position=letter.waitlist_position,
        sent_at=timezone.now(),
    )
    footer_links = [
        (
            f"Stop these emails from {event.group.name}",
            unsubscribe_url(user=user, group=event.group, category=category),
        )
    ]
    if not email_send(
        to=user.email,
        subject=letter.subject,
        template=letter.template,
        context=letter.context,
        reason=letter.reason,
        headers=unsubscribe_headers(user=user, group=event.group, category=category),
        attachments=letter.attachments,
        footer_links=footer_links,
    ):
        raise _NotSent
    return 1


def _local(event: Event, moment: datetime) -> str:
    return timezone.localtime(moment, event.tzinfo).strftime("%a %-d %b, %H:%M")


def _reminder_letter(rsvp: Rsvp) -> Letter:
    event = rsvp.event
    context = {
        "event": event,
        "user": rsvp.user,
        "event_url": settings.SITE_URL + event.get_absolute_url(),
        "starts": _local(event, event.starts_at),
    }
    reason = (
        f"You're getting this because you RSVP'd to {event.title} and have reminders "
        f"from {event.group.name} on."
    )
    if rsvp.status == Rsvp.Status.WAITLISTED:
        position = waitlist_position(rsvp=rsvp)
        return Letter(
            subject=f"Waitlist: you're number {position} for {event.title}",
            template="reminders/waitlisted",
            context={**context, "position": position},
            reason=reason,
            waitlist_position=position,
        )
    return Letter(
        subject=f"Reminder: {event.title}, {context['starts']}",
        template="reminders/reminder",
        context={**context, "ticket_url": settings.SITE_URL + rsvp.get_ticket_url()},
        reason=reason,
        attachments=[(f"{event.slug}.ics", event_calendar(event), "text/calendar")],
    )


def _recap_letter(rsvp: Rsvp, *, talks: list) -> Letter:
    event = rsvp.event
    site = settings.SITE_URL
    return Letter(
        subject=f"Thanks for coming: {event.title}",
        template="reminders/recap",
        context={
            "event": event,
            "user": rsvp.user,
            "event_url": site + event.get_absolute_url(),
            "talks": [
                {
                    "title": talk.title,
                    "speakers": ", ".join(s.name for s in talk.speakers.all()),
                    "url": site + talk.get_absolute_url(),
                    "feedback_url": site
                    + reverse("feedback:talk_feedback", kwargs={"slug": talk.slug}),
                    "resources": [
                        {
                            "label": str(resource),
                            # An uploaded PDF is downloaded from the talk's page.
                            "url": resource.url or site + talk.get_absolute_url(),
                        }
                        for resource in talk.resources.all()
                    ],
                }
                for talk in talks
            ],
        },
        reason=(
            f"You're getting this because you went to {event.title} and have recaps "
            f"from {event.group.name} on."
        ),
    )
