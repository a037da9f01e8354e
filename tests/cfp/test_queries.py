"""Call-for-talks lists run a fixed number of queries, at 1 item and at 3.

Each item brings what makes lists grow: votes, co-speakers with speaker profiles, an idea, a
review by the organiser, a preferred event.
"""

import pytest
from django.urls import reverse

from cfp import services
from cfp.models import ProposalVote
from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _add_items(group, organiser, owner, n):
    """n ideas, each with a vote and a proposal in voting by `owner` (with an accepted
    co-speaker, a vote and a review)."""
    for _ in range(n):
        idea = services.idea_create(
            user=organiser, group=group, title=f"Idea {factories.make_user().pk}"
        )
        services.idea_vote_toggle(user=factories.make_user(), idea=idea)
        proposal = services.proposal_submit(
            user=owner, group=group, title="T", abstract="A", length_minutes=20, idea=idea
        )
        co = factories.make_user()
        invitation = services.co_speaker_invite(user=owner, proposal=proposal, email=co.email)
        services.co_speaker_accept(user=co, token=invitation.token)
        services.proposal_open_voting(user=organiser, proposal=proposal)
        ProposalVote.objects.create(proposal=proposal, user=factories.make_user())
        services.review_save(user=organiser, proposal=proposal, score=3, note="n")


# (url name, who looks, kwargs needs the group, expected queries at 1 and at 3 items)
PAGES = [
    # +1 since members: the viewer's membership of the group (a ban refuses posts and votes)
    ("cfp:idea_board", "member", True, 9),
    ("cfp:voting", "member", True, 9),
    ("cfp:review_list", "organiser", True, 10),
    ("cfp:my_proposals", "owner", False, 4),
]


@pytest.mark.parametrize(("name", "viewer", "with_group", "expected"), PAGES)
def test_cfp_list_queries_fixed_at_1_and_3(
    client, group, organiser, member, open_call, django_assert_num_queries,
    name, viewer, with_group, expected,
):  # fmt: skip
    owner = factories.make_user(username="owner")
    users = {"member": member, "organiser": organiser, "owner": owner}
    assert client.login(username=users[viewer].username, password=PASSWORD)
    url = reverse(name, kwargs={"slug": group.slug} if with_group else {})

    _add_items(group, organiser, owner, 1)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200

    _add_items(group, organiser, owner, 2)
    with django_assert_num_queries(expected):
        response = client.get(url)
    listed = response.context.get("ideas") or response.context.get("proposals")
    assert len(listed) == 3


@pytest.mark.parametrize(
    ("path", "expected"), [("/api/groups/{g}/ideas", 4), ("/api/groups/{g}/proposals", 4)]
)
def test_cfp_api_list_queries_fixed_at_1_and_3(
    client, group, organiser, open_call, django_assert_num_queries, path, expected
):
    owner = factories.make_user(username="owner")
    url = path.format(g=group.slug)
    _add_items(group, organiser, owner, 1)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    _add_items(group, organiser, owner, 2)
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.json()["count"] == 3


def test_idea_detail_queries_fixed_at_1_and_3_proposals(
    client, group, organiser, member, open_call, idea, django_assert_num_queries
):
    assert client.login(username=member.username, password=PASSWORD)

    def propose():
        proposal = services.proposal_submit(
            user=factories.make_user(), group=group, title="T", abstract="A",
            length_minutes=20, idea=idea,
        )  # fmt: skip
        services.proposal_open_voting(user=organiser, proposal=proposal)

    propose()
    with django_assert_num_queries(8):
        assert client.get(idea.get_absolute_url()).status_code == 200
    propose()
    propose()
    with django_assert_num_queries(8):
        response = client.get(idea.get_absolute_url())
    assert len(response.context["idea"].visible_proposals) == 3


def test_lineup_queries_fixed_at_1_and_3(
    client, group, organiser, open_call, event, django_assert_num_queries
):
    assert client.login(username=organiser.username, password=PASSWORD)
    url = reverse("cfp:lineup", kwargs={"slug": group.slug, "event_slug": event.slug})

    def add():
        # One scheduled talk with two speakers, one accepted proposal waiting.
        for scheduled in (True, False):
            owner = factories.make_user()
            proposal = services.proposal_submit(
                user=owner, group=group, title="T", abstract="A", length_minutes=20
            )
            co = factories.make_user()
            invitation = services.co_speaker_invite(user=owner, proposal=proposal, email=co.email)
            services.co_speaker_accept(user=co, token=invitation.token)
            services.proposal_accept(user=organiser, proposal=proposal)
            if scheduled:
                services.proposal_schedule(user=organiser, proposal=proposal, event=event)

    add()
    with django_assert_num_queries(11):
        assert client.get(url).status_code == 200
    add()
    add()
    with django_assert_num_queries(11):
        response = client.get(url)
    assert (len(response.context["talks"]), len(response.context["unscheduled"])) == (3, 3)
