"""A member banned from a group is refused the call for talks' writes and told why (the ban
and its reason), whatever the call allows others: posting and upvoting ideas, voting on
proposals. What the mutation run of cfp/services found untested: each check asked about no
group (`ban_refusal(user, None)`, or the idea left out of `can_vote_on_idea`) passed the
banned person or gave them the message meant for others."""

import pytest

from cfp import services
from cfp.models import IdeaVote, ProposalVote, TalkIdea
from members import services as members
from portal.errors import Kind, ServiceError
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def banned(group, organiser):
    person = factories.make_user(username="banned-member")
    joined, _ = members.membership_join(group=group, user=person)
    members.member_ban(group=group, membership_id=joined.pk, user=organiser, reason="Spam")
    return type(person).objects.get(pk=person.pk)  # no rule answers kept from before the ban


def _refusal(call, **kwargs) -> tuple:
    with pytest.raises(ServiceError) as refused:
        call(**kwargs)
    return (refused.value.kind, refused.value.message)


def _told_the_ban(group) -> tuple:
    return (Kind.FORBIDDEN, f"You have been banned from {group.name} by its organisers: Spam")


def test_a_banned_member_may_not_post_an_idea(group, open_call, banned):
    """Breaks: the refusal's ban asked about no group: told "Only organisers can post talk
    ideas" instead of the ban."""
    refusal = _refusal(services.idea_create, user=banned, group=group, title="An idea")

    assert refusal == _told_the_ban(group)
    assert not TalkIdea.objects.filter(author=banned).exists()


def test_a_banned_member_may_not_upvote_an_idea(group, open_call, idea, banned):
    """Breaks: the vote's rule asked without the idea (a banned person's upvote counted), or
    its refusal's ban asked about no group ("Log in to vote." to someone signed in)."""
    refusal = _refusal(services.idea_vote_toggle, user=banned, idea=idea)

    assert refusal == _told_the_ban(group)
    assert not IdeaVote.objects.filter(idea=idea).exists()


def test_a_banned_member_may_not_vote_on_a_proposal(group, voting_proposal, banned):
    """Breaks: the refusal's ban asked about no call: told that only members who RSVP'd may
    vote instead of the ban."""
    refusal = _refusal(services.proposal_vote_add, user=banned, proposal=voting_proposal)

    assert refusal == _told_the_ban(group)
    assert not ProposalVote.objects.filter(proposal=voting_proposal).exists()
