"""One vote per person holds under a double-click storm, on real PostgreSQL with real threads.

Each thread has its own connection; a barrier releases them together. The negative control
shows the harness can see duplicates: plain inserts into a table without the unique
constraint (IdeaVote's twin for proposals is the one under test) do pile up.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from cfp import services
from cfp.models import CallForTalks, ProposalSpeaker, ProposalVote
from portal.errors import ServiceError
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 16


def race(n: int, act) -> list:
    barrier = threading.Barrier(n)

    def worker(i: int):
        try:
            barrier.wait(timeout=30)
            return act(i)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(worker, range(n)))


@pytest.fixture
def voting(db):
    group = factories.make_group()
    organiser = factories.make_user()
    group.organisers.add(organiser)
    now = timezone.now()
    CallForTalks.objects.create(group=group, voting_opens_at=now - timedelta(hours=1))
    proposal = services.proposal_submit(
        user=factories.make_user(), group=group, title="T", abstract="A", length_minutes=20
    )
    services.proposal_open_voting(user=organiser, proposal=proposal)
    return proposal


def test_proposal_vote_add_same_user_racing_counts_once(voting):
    voter = factories.make_user()
    results = race(THREADS, lambda i: services.proposal_vote_add(user=voter, proposal=voting))
    assert results.count(True) == 1
    assert results.count(False) == THREADS - 1
    assert ProposalVote.objects.filter(proposal=voting).count() == 1


def test_negative_control_without_constraint_duplicates_appear(voting):
    voter = factories.make_user()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE cfp_vote_control (proposal_id int, user_id int)")

    def insert_if_absent(i: int) -> None:
        # The check-then-insert a service without the constraint would do.
        with connections["default"].cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM cfp_vote_control WHERE proposal_id=%s AND user_id=%s",
                [voting.pk, voter.pk],
            )
            if cursor.fetchone()[0] == 0:
                cursor.execute(
                    "SELECT pg_sleep(0.05); INSERT INTO cfp_vote_control VALUES (%s, %s)",
                    [voting.pk, voter.pk],
                )

    race(THREADS, insert_if_absent)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cfp_vote_control")
        duplicates = cursor.fetchone()[0]
        cursor.execute("DROP TABLE cfp_vote_control")
    assert duplicates > 1


def test_co_speaker_accept_racing_users_one_wins(voting):
    """One invitation, many people clicking its link at once: exactly one becomes the
    co-speaker (portal.invitations locks the row); the others find it used (not found)."""
    submitter = voting.submitter
    invitation = services.co_speaker_invite(user=submitter, proposal=voting, email="co@example.com")
    users = [factories.make_user() for _ in range(THREADS)]

    def accept(i: int) -> str:
        try:
            services.co_speaker_accept(user=users[i], token=invitation.token)
        except ServiceError as error:
            return str(error.kind)
        return "accepted"

    results = race(THREADS, accept)
    assert sorted(set(results)) == ["accepted", "not_found"]
    assert results.count("accepted") == 1
    accepted = ProposalSpeaker.objects.get(pk=invitation.pk)
    assert accepted.status == ProposalSpeaker.Status.ACCEPTED
    assert accepted.user in users
