"""The audience vote on proposals: one vote per person and proposal, while voting is open."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from members.rules import ban_refusal
from portal.errors import conflict, forbidden, not_found

from .. import rules
from ..models import CallForTalks, Proposal, ProposalVote


def _check_can_vote(user: AbstractBaseUser, proposal: Proposal) -> None:
    if not user.is_authenticated:
        raise forbidden("Log in to vote.")
    if proposal.status != Proposal.Status.IN_VOTING:
        raise not_found("No proposal in voting.")
    call = CallForTalks.objects.for_group(proposal.group)
    if not call.voting_is_open():
        raise conflict("Voting is closed.")
    if not rules.can_vote_on_proposals(user, call):
        raise forbidden(
            ban_refusal(user, call) or "Only members who have RSVP'd to one of our events can vote."
        )


def proposal_vote_add(*, user: AbstractBaseUser, proposal: Proposal) -> bool:
    """Casts the user's vote; returns False if they had already voted (nothing changes)."""
    _check_can_vote(user, proposal)
    # A no-op is answered from a read: no write transaction (on SQLite, the write lock).
    if ProposalVote.objects.filter(proposal=proposal, user=user).exists():
        return False
    try:
        with transaction.atomic():
            ProposalVote.objects.create(proposal=proposal, user=user)
    except IntegrityError:
        return False
    return True


def proposal_vote_remove(*, user: AbstractBaseUser, proposal: Proposal) -> bool:
    """Takes back the user's vote; returns False if there was none."""
    _check_can_vote(user, proposal)
    votes = ProposalVote.objects.filter(proposal=proposal, user=user)
    if not votes.exists():
        return False  # nothing to take back: no DELETE, no write lock
    deleted, _ = votes.delete()
    return deleted > 0


def proposal_vote_toggle(*, user: AbstractBaseUser, proposal: Proposal) -> bool:
    """Votes, or takes the vote back; returns whether the user's vote is now on."""
    if proposal_vote_remove(user=user, proposal=proposal):
        return False
    proposal_vote_add(user=user, proposal=proposal)
    return True
