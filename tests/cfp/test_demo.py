"""The call-for-talks demo data: the seed's talk ideas, an open call, proposals; idempotent."""

from datetime import timedelta

import pytest

from cfp.demo import TALK_IDEAS
from cfp.models import IdeaVote, Proposal, TalkIdea
from meetups.demo import load_demo

pytestmark = pytest.mark.django_db


def _counts():
    return (TalkIdea.objects.count(), IdeaVote.objects.count(), Proposal.objects.count())


def test_cfp_demo_loads_seed_ideas_once():
    load_demo()
    first = _counts()
    load_demo()
    assert _counts() == first == (19, 6, 2)
    titles = set(TalkIdea.objects.values_list("title", flat=True))
    assert (
        "No GIL, No Problem? How Python (possibly) removing the Global Interpreter Lock "
        "might affect your Django app" in titles
    )
    assert titles == {title for title, _ in TALK_IDEAS}


def test_cfp_demo_call_is_open_with_voting(client):
    load_demo()
    group = TalkIdea.objects.first().group
    call = group.call_for_talks
    assert (call.is_open(), call.voting_is_open(), call.tallies_visible()) == (True, True, True)
    assert call.decisions_at - call.voting_closes_at == timedelta(days=7)
    voting = client.get(f"/groups/{group.slug}/vote/").context["proposals"]
    assert [p.title for p in voting] == ["Live Q&A with Channels and HTMX, no SPA required"]
