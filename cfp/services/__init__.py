"""Writes for the call for talks, by concept: ideas, speaker profiles, proposals and their
co-speakers, audience votes, and the organisers' review, decisions and line-up.

Who may do what is a predicate in `cfp.rules`; the services enforce it, so the pages and the
API behave the same. Refusals are `portal.errors.ServiceError`: NOT_FOUND for what the person
may not even know about (someone else's proposal, another group's event), FORBIDDEN for a rule
they can see (log in, only organisers post ideas here, only members who RSVP'd vote), CONFLICT
when the state does not allow it now (the call or the vote is closed, a decided proposal),
INVALID for bad input (with the form field it is about). Database constraints back the "once
per person" rules.
"""

from .ideas import idea_create, idea_delete, idea_vote_toggle
from .proposals import (
    MAX_CO_SPEAKERS,
    co_speaker_accept,
    co_speaker_invite,
    co_speaker_remove,
    proposal_resubmit,
    proposal_submit,
    proposal_update,
    proposal_withdraw,
)
from .review import (
    agenda_move,
    call_for_talks_update,
    proposal_accept,
    proposal_decide,
    proposal_decline,
    proposal_open_voting,
    proposal_reopen,
    proposal_schedule,
    proposal_unschedule,
    review_save,
)
from .speakers import (
    MAX_LINKS,
    PHOTO_MAX_BYTES,
    photo_content_type,
    speaker_ensure,
    speaker_profile_save,
)
from .voting import proposal_vote_add, proposal_vote_remove, proposal_vote_toggle

__all__ = [
    "MAX_CO_SPEAKERS",
    "MAX_LINKS",
    "PHOTO_MAX_BYTES",
    "agenda_move",
    "call_for_talks_update",
    "co_speaker_accept",
    "co_speaker_invite",
    "co_speaker_remove",
    "idea_create",
    "idea_delete",
    "idea_vote_toggle",
    "photo_content_type",
    "proposal_accept",
    "proposal_decide",
    "proposal_decline",
    "proposal_open_voting",
    "proposal_reopen",
    "proposal_resubmit",
    "proposal_schedule",
    "proposal_submit",
    "proposal_unschedule",
    "proposal_update",
    "proposal_vote_add",
    "proposal_vote_remove",
    "proposal_vote_toggle",
    "proposal_withdraw",
    "review_save",
    "speaker_ensure",
    "speaker_profile_save",
]
