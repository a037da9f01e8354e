"""Who may do what with RSVPs, as django-rules predicates: each rule written once.

The services enforce them (an event the person may not see, or a door that is not theirs,
answers NOT_FOUND; RSVPing without logging in is FORBIDDEN); the pages, the API and the RSVP
panel ask the same predicates what to offer. *When* RSVPs are open (the window, a cancelled
event) is the event's state, `rsvp.services.rsvp_window_problem`, refused as CONFLICT.
"""

import rules

from meetups.rules import can_view_event, is_group_organiser

# Anyone signed in may RSVP to an event they can see (a draft only its organisers see).
can_rsvp = rules.is_authenticated & can_view_event

# The door of an event (check-in, the attendee list and its CSV) is its group's organisers'.
can_check_in = is_group_organiser

rules.add_perm("rsvp.rsvp_to_event", can_rsvp)
rules.add_perm("rsvp.check_in", can_check_in)
