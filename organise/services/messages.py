"""Messages from organisers to the people of an event."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from meetups.models import Event
from portal.errors import conflict, invalid
from portal.text import require_multi_line, require_single_line

from .. import selectors, tasks
from ..models import AttendeeMessage
from ..rules import require_organiser
from ._common import after_commit

SUBJECT_MAX_LENGTH = AttendeeMessage._meta.get_field("subject").max_length
BODY_MAX_LENGTH = AttendeeMessage._meta.get_field("body").max_length
SUBJECT_ONE_LINE = "Keep the subject on one line, without control characters."


def attendee_message_check(
    *, event: Event, user: AbstractBaseUser, audience: str, subject: str, body: str
) -> list[AbstractBaseUser]:
    """Who the message would go to (the preview), or the refusal sending it would give.

    Nothing is sent or recorded. Only people with an email address are counted.
    """
    require_organiser(user, event)
    if audience not in AttendeeMessage.Audience.values:
        raise invalid("Choose who the message goes to.", field="audience")
    subject = require_single_line(subject, field="subject", message=SUBJECT_ONE_LINE)
    body = require_multi_line(body, field="body").strip()
    if not subject or not body:
        raise invalid("Write a subject and a message.", field="body")
    if len(subject) > SUBJECT_MAX_LENGTH:
        raise invalid(f"Keep the subject to {SUBJECT_MAX_LENGTH} characters.", field="subject")
    if len(body) > BODY_MAX_LENGTH:
        raise invalid(f"Keep the message to {BODY_MAX_LENGTH} characters.", field="body")
    recipients = selectors.audience_recipients(event=event, audience=audience)
    if not recipients:
        raise conflict("Nobody is in that group yet.", field="audience")
    return recipients


def attendee_message_send(
    *, event: Event, user: AbstractBaseUser, audience: str, subject: str, body: str
) -> AttendeeMessage:
    """Email one audience of the event (going, waitlisted or checked in) and record it.

    The recipients are fixed now; the emails go out as one task after commit, one message per
    person (nobody sees the other addresses).
    """
    recipients = attendee_message_check(
        event=event, user=user, audience=audience, subject=subject, body=body
    )
    with transaction.atomic():
        message = AttendeeMessage.objects.create(
            event=event,
            sender=user,
            audience=audience,
            subject=subject.strip(),
            body=body.strip(),
            recipient_count=len(recipients),
        )
        after_commit(
            tasks.send_attendee_message.enqueue,
            message_id=message.pk,
            user_ids=[u.pk for u in recipients],
        )
    return message
