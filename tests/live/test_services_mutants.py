"""What the mutation run of live/services.py found untested (docs/testing.md, "Mutation
testing"): asking and voting outside the Q&A's audience, or banned, are refused with the exact
reason for this event; moderating re-sends the question counts of the question's own event.

Each test names the break it guards; each was checked against the mutant it was written for.
"""

import pytest
from django.utils import timezone

from live import broadcast, services
from members.models import EventPolicy, Membership
from portal.errors import Kind, ServiceError
from tests.factories import make_user

pytestmark = pytest.mark.django_db

MEMBERS_ONLY = "This Q&A is for members of the group: join the group to take part."


@pytest.fixture
def members_only(running_event, organiser):
    """A members-only Q&A with one visible question (the organiser's)."""
    EventPolicy.objects.create(event=running_event, qa_audience="members")
    question = services.question_create(
        event=running_event, talk=None, author=organiser, text="Is it recorded?"
    )
    return running_event, question


def _refusal(call, **kwargs) -> tuple:
    with pytest.raises(ServiceError) as refused:
        call(**kwargs)
    return (refused.value.kind, refused.value.message)


def test_asking_outside_the_audience_is_told_this_events_audience(members_only, member):
    """Breaks: the refusal looked up for no event, so a non-member is told to log in."""
    event, _ = members_only

    refusal = _refusal(services.question_create, event=event, talk=None, author=member, text="Why?")

    assert refusal == (Kind.FORBIDDEN, MEMBERS_ONLY)


@pytest.mark.parametrize("vote", [services.question_vote, services.question_unvote])
def test_voting_outside_the_audience_is_told_why(members_only, member, vote):
    """Breaks: the refusal skipped or looked up for no event (answered "No such question."), or
    its message dropped."""
    _, question = members_only

    assert _refusal(vote, question=question, user=member) == (Kind.FORBIDDEN, MEMBERS_ONLY)


def test_voting_when_banned_is_told_the_ban(members_only):
    """Breaks: a banned person's refusal skipped or looked up for no event (answered "No such
    question."), or its message dropped."""
    event, question = members_only
    banned = make_user()
    Membership.objects.create(
        group=event.group,
        user=banned,
        state=Membership.State.BANNED,
        banned_at=timezone.now(),
        banned_reason="Spam",
    )

    assert _refusal(services.question_vote, question=question, user=banned) == (
        Kind.FORBIDDEN,
        f"You have been banned from {event.group.name} by its organisers: Spam",
    )


def test_moderating_resends_the_question_counts_of_its_event(
    members_only, organiser, django_capture_on_commit_callbacks
):
    """Breaks: the counts announced for no event, so no dashboard learns of the change."""
    event, question = members_only

    with django_capture_on_commit_callbacks() as callbacks:
        services.question_hide(question=question, user=organiser)

    counts = [call.keywords for call in callbacks if call.func is broadcast.question_counts_changed]
    assert counts == [{"event_id": event.pk}]
