"""Writes for RSVPs, the waitlist and check-in.

Every change that can move a seat takes the same lock first: the event's row, `SELECT ... FOR
UPDATE` inside `transaction.atomic` (on SQLite the IMMEDIATE transaction already serialises
writers). Under that lock the seats taken are summed and compared with the capacity, so two
requests for the last seat cannot both see it free. After commit each change sends
`rsvp.signals.attendance_changed` and queues its emails; a failing email never undoes an RSVP.

Refusals are `portal.errors.ServiceError`: bad input INVALID, a closed window or a state that
does not allow the change CONFLICT, an event or RSVP the person may not touch NOT_FOUND (the
rules are `rsvp.rules`).
"""

from .door import rsvp_check_in
from .seats import (
    RsvpResult,
    rsvp_cancel,
    rsvp_create,
    rsvp_guests_change,
    rsvp_listed_set,
    rsvp_settings_get,
    rsvp_window_problem,
    waitlist_promote,
)

__all__ = [
    "RsvpResult",
    "rsvp_cancel",
    "rsvp_check_in",
    "rsvp_create",
    "rsvp_guests_change",
    "rsvp_listed_set",
    "rsvp_settings_get",
    "rsvp_window_problem",
    "waitlist_promote",
]
