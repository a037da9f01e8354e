"""Edges of proposals and co-speakers (cfp.services.proposals) that the main suite leaves open."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cfp import services
from cfp.models import Proposal
from members import services as members
from portal.errors import Kind, ServiceError
from tests import factories

pytestmark = pytest.mark.django_db


def test_co_speaker_accept_reads_proposal_with_invitation(proposal, speaker_user):
    """Guards: accepting an invitation reading its proposal in a query of its own after the
    locked read of the invitation, instead of in that same read."""
    co = factories.make_user()
    invitation = services.co_speaker_invite(user=speaker_user, proposal=proposal, email=co.email)
    services.speaker_ensure(user=co)  # its profile read is then one query, not a create
    with CaptureQueriesContext(connection) as queries:
        services.co_speaker_accept(user=co, token=invitation.token)
    sql = [q["sql"] for q in queries.captured_queries]
    invitation_read = [q for q in sql if q.startswith('SELECT "meetups_proposalspeaker"."id"')]
    assert len(invitation_read) == 1
    assert 'INNER JOIN "meetups_proposal" ON' in invitation_read[0]
    assert [q for q in sql if 'FROM "meetups_proposal" ' in q] == []


def test_proposal_update_kept_idea_of_another_group_refused(proposal, speaker_user, idea):
    """Guards: an edit that leaves the idea as it is skipping the check that the idea is the
    proposal's group's, so a proposal tied (through the admin) to another group's idea is
    saved again with it."""
    idea.group = factories.make_group(name="Elsewhere", slug="elsewhere")
    idea.save()
    with pytest.raises(ServiceError) as refusal:
        services.proposal_update(user=speaker_user, proposal=proposal, title="New title")
    assert refusal.value.kind == Kind.INVALID
    assert refusal.value.field == "idea"
    proposal.refresh_from_db()
    assert proposal.title == "Live pages with Channels"


def test_a_banned_member_may_not_propose_and_is_told_why(group, open_call, organiser):
    """Guards: the submit's ban check asked about no group (`can_propose(user, None)`, which
    lets a banned person through) and its refusal's message (the ban and its reason)."""
    person = factories.make_user(username="banned-speaker")
    joined, _ = members.membership_join(group=group, user=person)
    members.member_ban(group=group, membership_id=joined.pk, user=organiser, reason="Spam")
    person = type(person).objects.get(pk=person.pk)  # no rule answers kept from before the ban

    with pytest.raises(ServiceError) as refusal:
        services.proposal_submit(
            user=person, group=group, title="A talk", abstract="About it.", length_minutes=20
        )

    assert (refusal.value.kind, refusal.value.message) == (
        Kind.FORBIDDEN,
        f"You have been banned from {group.name} by its organisers: Spam",
    )
    assert not Proposal.objects.filter(group=group).exists()


def test_resubmit_writes_the_status_alone(proposal, speaker_user):
    """Guards: resubmitting saving every field of the submitter's copy (`update_fields=None`),
    which puts back what another request changed since the copy was read (here the
    organisers' notes, written by an edit that committed in between)."""
    services.proposal_withdraw(user=speaker_user, proposal=proposal)
    Proposal.objects.filter(pk=proposal.pk).update(notes_for_organisers="Changed since")

    services.proposal_resubmit(user=speaker_user, proposal=proposal)

    proposal.refresh_from_db()
    assert (proposal.status, proposal.notes_for_organisers) == ("submitted", "Changed since")
