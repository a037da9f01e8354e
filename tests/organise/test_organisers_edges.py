"""Edges of the co-organiser invitation services that mutation testing (docs/testing.md) found
untested: each test names the break it guards."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from organise import services
from organise.models import OrganiserInvitation
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(group):
    return factories.make_user(username="invited", email="invited@example.com")


def _invitation(group, **fields):
    return OrganiserInvitation.objects.create(group=group, email="invited@example.com", **fields)


def test_invitation_accept_judges_expiry_at_the_time_given(group, invited):
    """Guards: the expiry judged on the wall clock instead of the `now` the acceptance is
    recorded at, so an invitation accepted as of day 13 would be refused on day 15."""
    sent = timezone.now()
    invitation = _invitation(group, created_at=sent)
    day_13 = sent + timedelta(days=13)

    with time_machine.travel(sent + timedelta(days=15), tick=False):
        joined = services.organiser_invitation_accept(
            token=invitation.token, user=invited, now=day_13
        )

    invitation.refresh_from_db()
    assert (joined, invitation.accepted_at, invitation.accepted_by) == (group, day_13, invited)
    assert list(group.organisers.all()) == [invited]


def test_invitation_accept_reads_the_invitation_with_its_group_in_one_query(group, invited):
    """Guards: the invitation's group fetched in a query of its own after the invitation
    (the accept reads it for the answer and to add the organiser)."""
    invitation = _invitation(group)

    with CaptureQueriesContext(connection) as queries:
        services.organiser_invitation_accept(token=invitation.token, user=invited)

    reads_of_groups = [q["sql"] for q in queries if 'FROM "meetups_group"' in q["sql"]]
    assert reads_of_groups == []


def test_invitation_revoke_from_a_stale_copy_keeps_the_acceptance_made_meanwhile(
    group, organiser, invited
):
    """Guards: withdrawing writing every field of the copy it was given, so an invitation
    accepted since the organiser's page read it would lose who accepted it and when."""
    invitation = _invitation(group)
    stale = OrganiserInvitation.objects.get(pk=invitation.pk)
    services.organiser_invitation_accept(token=invitation.token, user=invited)
    accepted_at = OrganiserInvitation.objects.get(pk=invitation.pk).accepted_at

    services.organiser_invitation_revoke(invitation=stale, user=organiser)

    assert OrganiserInvitation.objects.values_list("accepted_at", "accepted_by").get(
        pk=invitation.pk
    ) == (accepted_at, invited.pk)
