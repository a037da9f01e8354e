"""Edges of the audience vote (cfp.services.voting) that the main suite leaves open."""

import pytest
from django.db.models.signals import pre_delete, pre_save

from cfp import services
from cfp.models import ProposalVote

pytestmark = pytest.mark.django_db


def test_proposal_vote_add_vote_cast_before_insert_returns_false(voting_proposal, member):
    """Guards: a vote that another request (a double click) cast between the check and the
    insert, so that this insert hits the one-vote constraint, reported as a new vote cast."""

    def vote_first(sender, instance, **kwargs):
        # The other request wins the race: its vote is in before this insert runs.
        pre_save.disconnect(vote_first, sender=ProposalVote)
        ProposalVote.objects.create(proposal=instance.proposal, user=instance.user)

    pre_save.connect(vote_first, sender=ProposalVote)
    try:
        assert services.proposal_vote_add(user=member, proposal=voting_proposal) is False
    finally:
        pre_save.disconnect(vote_first, sender=ProposalVote)


def test_proposal_vote_remove_vote_gone_before_delete_returns_false(voting_proposal, member):
    """Guards: taking back a vote that another request (a double click) deleted between the
    check and the delete reported as taken back by this request, although it deleted nothing."""
    services.proposal_vote_add(user=member, proposal=voting_proposal)

    def delete_first(sender, instance, **kwargs):
        # The other request wins the race: the row is gone before this delete runs.
        pre_delete.disconnect(delete_first, sender=ProposalVote)
        ProposalVote.objects.filter(pk=instance.pk).delete()

    pre_delete.connect(delete_first, sender=ProposalVote)
    try:
        assert services.proposal_vote_remove(user=member, proposal=voting_proposal) is False
    finally:
        pre_delete.disconnect(delete_first, sender=ProposalVote)
    assert ProposalVote.objects.filter(proposal=voting_proposal, user=member).count() == 0
