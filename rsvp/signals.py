"""Signals other apps listen to (the live app broadcasts counts on `attendance_changed`)."""

from django.dispatch import Signal

# Sent after commit whenever seats, the waitlist or check-ins of an event change.
# Arguments: event_id (int).
attendance_changed = Signal()
