"""Fixtures for the call-for-talks tests (ideas, proposals, votes, reviews)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cfp import services
from cfp.models import CallForTalks, Proposal, TalkIdea
from tests import factories


@pytest.fixture
def open_call(group):
    """A call that is open all year, with voting open for a week and public tallies."""
    now = timezone.now()
    return CallForTalks.objects.create(
        group=group,
        voting_opens_at=now - timedelta(days=1),
        voting_closes_at=now + timedelta(days=7),
        tallies=CallForTalks.Tallies.PUBLIC,
    )


@pytest.fixture
def speaker_user(db):
    return factories.make_user(username="speaker", first_name="Sam", last_name="Speaker")


@pytest.fixture
def other_organiser(db):
    """Organises a different group: must see nothing of `group`'s review."""
    other = factories.make_group(name="Other group", slug="other-group")
    user = factories.make_user(username="other-organiser")
    other.organisers.add(user)
    return user


@pytest.fixture
def idea(group, organiser):
    return TalkIdea.objects.create(
        group=group, title="Channels with HTMX", description="Live pages.", author=organiser
    )


def submit(group, user, **fields) -> Proposal:
    fields.setdefault("title", "Live pages with Channels")
    fields.setdefault("abstract", "How we push fragments.")
    fields.setdefault("length_minutes", 20)
    return services.proposal_submit(user=user, group=group, **fields)


@pytest.fixture
def proposal(group, open_call, speaker_user, idea):
    """A submitted proposal with private notes that must never leak."""
    return submit(
        group, speaker_user, idea=idea, notes_for_organisers="SECRET-NOTE needs a HDMI adapter"
    )


@pytest.fixture
def voting_proposal(proposal, organiser):
    return services.proposal_open_voting(user=organiser, proposal=proposal)
