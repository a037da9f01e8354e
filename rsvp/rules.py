"""Who may do what with RSVPs, as django-rules predicates: each rule written once.

The services enforce them (an event the person may not see, or a door that is not theirs,
answers NOT_FOUND; RSVPing without logging in is FORBIDDEN); the pages, the API and the RSVP
panel ask the same predicates what to offer. *When* RSVPs are open (the window, a cancelled
event) is the event's state, `rsvp.services.rsvp_window_problem`, refused as CONFLICT.
"""

import rules

from meetups.rules import can_view_event, is_group_organiser
from members.models import RsvpAudience
from members.policies import effective_for_event
from members.rules import ban_refusal, is_banned_from, is_member


@rules.predicate
def rsvp_is_open_to_all(user, event) -> bool:
    """The event's RSVP policy (`members.policies`): anyone signed in, or members only."""
    return effective_for_event(event).rsvp_audience == RsvpAudience.ANYONE


# Who the RSVP policy lets in; the group's organisers always.
in_rsvp_audience = rsvp_is_open_to_all | is_member | is_group_organiser

# Anyone signed in may RSVP to an event they can see (a draft only its organisers see), unless
# banned from its group or the event is for members only and they are not one.
can_rsvp = rules.is_authenticated & can_view_event & ~is_banned_from & in_rsvp_audience


def rsvp_refusal(user, event) -> str | None:
    """Why a signed-in person who can see the event may not RSVP (what to do about it), or
    None. The services refuse with it (FORBIDDEN) and the panel shows it."""
    if not user.is_authenticated:
        return None
    if message := ban_refusal(user, event):
        return message
    if not in_rsvp_audience(user, event):
        return "This event is for members of the group: join the group to RSVP."
    return None


# The door of an event (check-in, the attendee list and its CSV) is its group's organisers'.
can_check_in = is_group_organiser

rules.add_perm("rsvp.rsvp_to_event", can_rsvp)
rules.add_perm("rsvp.check_in", can_check_in)
