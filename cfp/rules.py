"""Who may do what in the call for talks, as django-rules predicates: each rule written once.

The services enforce these predicates (refusing with the kind that fits: NOT_FOUND for what the
person may not even know about, FORBIDDEN for a rule they can see, CONFLICT for a state that
does not allow it now); the pages, the API and the templates ask the same predicates what to
offer (templates get flags computed from them). The organiser rule itself is meetups'
(`is_group_organiser`). The proposal's life (which status may follow which, and so which
decisions the review offers) is here too, for the review page and the services alike.

Objects: a `CallForTalks` (from `CallForTalks.objects.for_group`, which sets its group), a
`TalkIdea`, a `Proposal`, or for the organiser rule anything that belongs to a group.
"""

import rules
from django.db.models import Q

from meetups.models import Group, Talk
from meetups.rules import is_group_organiser
from members.rules import is_banned_from
from rsvp.models import Rsvp

from .models import CallForTalks, Proposal, TalkIdea

# --- organisers ---------------------------------------------------------------------------------


def _group_of(obj) -> Group | None:
    if obj is None or isinstance(obj, Group):
        return obj
    if isinstance(obj, Talk):
        return obj.event.group
    return obj.group  # CallForTalks, TalkIdea, Proposal, Event (meetups')


@rules.predicate
def is_cfp_organiser(user, obj) -> bool:
    """meetups' organiser rule, for the group `obj` belongs to.

    The answer is kept on the user object per group, as Django keeps permissions in
    `_perm_cache`: a page asks it for its tabs, its tallies and its buttons, and the database
    once. (`request.user` is a new object on every request.)
    """
    group = _group_of(obj)
    if group is None or not user.is_authenticated:
        return False
    answers = getattr(user, "_cfp_organiser_of", None)
    if answers is None:
        answers = {}
        user._cfp_organiser_of = answers
    if group.pk not in answers:
        answers[group.pk] = bool(is_group_organiser(user, group))
    return answers[group.pk]


# --- talk ideas ---------------------------------------------------------------------------------


@rules.predicate
def members_may_post_ideas(user, call: CallForTalks) -> bool:
    return call.members_may_post_ideas


# Members post ideas if the group's call lets them; organisers always may.
can_post_idea = (
    rules.is_authenticated & ~is_banned_from & (members_may_post_ideas | is_cfp_organiser)
)


@rules.predicate
def is_idea_author(user, idea: TalkIdea) -> bool:
    return user.is_authenticated and idea.author_id == user.pk


# The author may delete their idea (while nobody has proposed a talk for it: a state the
# service checks), organisers any idea of their group.
can_delete_idea = is_idea_author | is_cfp_organiser


# Anyone signed in upvotes ideas, unless banned from the group (`members.rules`).
can_vote_on_idea = rules.is_authenticated & ~is_banned_from

# Anyone signed in proposes a talk (obj: the group or its call), unless banned from the group.
can_propose = rules.is_authenticated & ~is_banned_from


# --- proposals ----------------------------------------------------------------------------------


@rules.predicate
def is_proposal_submitter(user, proposal: Proposal) -> bool:
    """The submitter alone edits, withdraws and invites co-speakers; to anyone else the
    proposal answers 404."""
    return user.is_authenticated and proposal.submitter_id == user.pk


def proposal_edit_refusal(proposal: Proposal, call: CallForTalks) -> str | None:
    """Why the proposal can no longer change, or None while it can: the call is open and
    nothing is decided."""
    if not call.is_open():
        return "The call for talks is closed, so proposals can no longer change."
    if proposal.status not in Proposal.EDITABLE_STATUSES:
        return f"A proposal that is {proposal.get_status_display().lower()} is final."
    return None


@rules.predicate
def proposal_is_editable(user, proposal: Proposal) -> bool:
    call = CallForTalks.objects.for_group(proposal.group)
    return proposal_edit_refusal(proposal, call) is None


can_edit_proposal = is_proposal_submitter & proposal_is_editable  # edit or withdraw


def proposal_resubmit_refusal(proposal: Proposal, call: CallForTalks) -> str | None:
    """Why a withdrawn proposal cannot come back, or None while it can: the speaker changed
    their mind and the call is still open. (The speaker's way back, not an organiser's
    decision, so it is not in TRANSITIONS.)"""
    if proposal.status != Proposal.Status.WITHDRAWN:
        return "Only a withdrawn proposal can be resubmitted."
    if not call.is_open():
        return "The call for talks is closed, so a withdrawn proposal cannot be resubmitted."
    return None


@rules.predicate
def proposal_is_resubmittable(user, proposal: Proposal) -> bool:
    call = CallForTalks.objects.for_group(proposal.group)
    return proposal_resubmit_refusal(proposal, call) is None


can_resubmit_proposal = is_proposal_submitter & proposal_is_resubmittable

CLOSED_TO_CO_SPEAKERS = (Proposal.Status.DECLINED, Proposal.Status.WITHDRAWN)


@rules.predicate
def proposal_takes_co_speakers(user, proposal: Proposal) -> bool:
    return proposal.status not in CLOSED_TO_CO_SPEAKERS


can_invite_co_speaker = is_proposal_submitter & proposal_takes_co_speakers


# --- audience voting ----------------------------------------------------------------------------


@rules.predicate
def has_rsvpd_to_group(user, call: CallForTalks) -> bool:
    """Whether the user RSVP'd (going, now or in the past) to, or checked in at, one of the
    call's group's events."""
    return (
        user.is_authenticated
        and Rsvp.objects.filter(
            Q(status=Rsvp.Status.GOING) | Q(checked_in_at__isnull=False),
            user=user,
            event__group_id=call.group_id,
        ).exists()
    )


@rules.predicate
def voting_is_for_everyone(user, call: CallForTalks) -> bool:
    return not call.voting_requires_rsvp


# Who may vote on proposals; when (the voting window) is the call's state, `voting_is_open`.
can_vote_on_proposals = (
    rules.is_authenticated & ~is_banned_from & (voting_is_for_everyone | has_rsvpd_to_group)
)


@rules.predicate
def tallies_are_public(user, call: CallForTalks) -> bool:
    return call.tallies_visible()


# Members see vote counts when the call shows them; organisers always.
can_view_tallies = tallies_are_public | is_cfp_organiser


# --- organisers' review, decisions, line-up and settings ------------------------------------------

can_review = is_cfp_organiser

Status = Proposal.Status

# Which status may follow which.
TRANSITIONS = {
    Status.SUBMITTED: {Status.IN_VOTING, Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN},
    Status.IN_VOTING: {Status.SUBMITTED, Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN},
    Status.ACCEPTED: {Status.SCHEDULED, Status.DECLINED},
    Status.DECLINED: {Status.SUBMITTED},
    Status.SCHEDULED: {Status.SCHEDULED, Status.ACCEPTED},
    Status.WITHDRAWN: set(),
}

# The organisers' decisions on the review page and in the API, and the status each leads to.
DECISIONS = {
    "accept": Status.ACCEPTED,
    "decline": Status.DECLINED,
    "vote": Status.IN_VOTING,
    "reopen": Status.SUBMITTED,
    "unschedule": Status.ACCEPTED,
}


def proposal_decisions(proposal: Proposal) -> list[str]:
    """The decisions a proposal offers as it stands: those whose status may follow its own.
    Taking a talk off the agenda is the one way back from scheduled, and only from there."""
    scheduled = proposal.status == Status.SCHEDULED
    return [
        action
        for action, to in DECISIONS.items()
        if to in TRANSITIONS[proposal.status] and (action == "unschedule") == scheduled
    ]


def proposal_may_be_scheduled(proposal: Proposal) -> bool:
    """Accepted (or already scheduled, to move it to another event)."""
    return Status.SCHEDULED in TRANSITIONS[proposal.status]


rules.add_perm("cfp.post_idea", can_post_idea)
rules.add_perm("cfp.delete_idea", can_delete_idea)
rules.add_perm("cfp.vote_on_idea", can_vote_on_idea)
rules.add_perm("cfp.propose", can_propose)
rules.add_perm("cfp.edit_proposal", can_edit_proposal)
rules.add_perm("cfp.resubmit_proposal", can_resubmit_proposal)
rules.add_perm("cfp.invite_co_speaker", can_invite_co_speaker)
rules.add_perm("cfp.manage_proposal", is_proposal_submitter)
rules.add_perm("cfp.vote_on_proposals", can_vote_on_proposals)
rules.add_perm("cfp.view_tallies", can_view_tallies)
rules.add_perm("cfp.review", can_review)
