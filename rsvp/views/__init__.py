"""RSVP pages, by audience: `attendee` (the panel, My events, tickets) and `door` (check-in,
the attendee list and its CSV, for organisers)."""
