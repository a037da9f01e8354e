"""Voting twice, or taking back a vote that is not there, writes nothing and takes no write
lock (#11, item 5)."""

import pytest
from django.utils import timezone

from cfp import services
from cfp.models import ProposalVote
from rsvp.models import Rsvp
from tests.noop import no_write

pytestmark = pytest.mark.django_db


@pytest.fixture
def voter(member, event):
    Rsvp.objects.create(
        event=event, user=member, status=Rsvp.Status.GOING, queued_at=timezone.now()
    )
    return member


def test_proposal_vote_twice_is_answered_without_a_write(voting_proposal, voter):
    assert services.proposal_vote_add(user=voter, proposal=voting_proposal) is True
    with no_write():
        assert services.proposal_vote_add(user=voter, proposal=voting_proposal) is False
    assert ProposalVote.objects.filter(proposal=voting_proposal).count() == 1


def test_removing_a_vote_that_is_not_there_is_answered_without_a_write(voting_proposal, voter):
    with no_write():
        assert services.proposal_vote_remove(user=voter, proposal=voting_proposal) is False


def test_removing_a_vote_still_removes_it(voting_proposal, voter):
    services.proposal_vote_add(user=voter, proposal=voting_proposal)
    assert services.proposal_vote_remove(user=voter, proposal=voting_proposal) is True
    assert ProposalVote.objects.count() == 0
