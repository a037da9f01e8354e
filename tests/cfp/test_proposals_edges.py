"""Edges of proposals and co-speakers (cfp.services.proposals) that the main suite leaves open."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cfp import services
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
