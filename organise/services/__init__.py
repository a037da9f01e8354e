"""Writes for organisers, by concept: events (`events`), the dashboard's quick actions
(`actions`), co-organisers (`organisers`) and messages to attendees (`messages`).

Every service takes the acting person as `user=` and checks `organise.rules.require_organiser`
itself (the views check too): a stranger is told the group or event does not exist. Refusals
are `portal.errors.ServiceError` with a kind. Emails go out as tasks after commit; a failed
email never undoes the change it is about.
"""

from .actions import (
    rsvp_window_close,
    rsvp_window_open,
    rsvp_window_open_problem,
)
from .events import (
    EventFields,
    duplicate_default_start,
    event_cancel,
    event_create,
    event_duplicate,
    event_publish,
    event_unpublish,
    event_update,
    venue_create,
)
from .messages import attendee_message_check, attendee_message_send
from .organisers import (
    organiser_invitation_accept,
    organiser_invitation_revoke,
    organiser_invite,
    organiser_remove,
)

__all__ = [
    "EventFields",
    "attendee_message_check",
    "attendee_message_send",
    "duplicate_default_start",
    "event_cancel",
    "event_create",
    "event_duplicate",
    "event_publish",
    "event_unpublish",
    "event_update",
    "organiser_invitation_accept",
    "organiser_invitation_revoke",
    "organiser_invite",
    "organiser_remove",
    "rsvp_window_close",
    "rsvp_window_open",
    "rsvp_window_open_problem",
    "venue_create",
]
