"""Shared data for the organiser tests (tests/organise/)."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from cfp.models import Proposal, ProposalVote
from live.models import Question
from meetups.models import Event
from rsvp.models import Rsvp
from tests import factories


@dataclass
class World:
    """Two groups; our group's owner, co-organiser, event with people, questions and votes."""

    group: object
    owner: object
    co_organiser: object
    member: object
    speaker_user: object
    other_organiser: object
    staff: object
    event: Event
    draft: Event
    other_event: Event
    talk: object
    question: Question
    proposal: Proposal


def rsvp(event: Event, user, *, status="going", guests=0, checked_in=False, days_ago=0) -> Rsvp:
    now = timezone.now()
    r = Rsvp.objects.create(
        event=event,
        user=user,
        status=status,
        guests=guests,
        queued_at=now - timedelta(days=days_ago),
        checked_in_at=now if checked_in else None,
        guests_checked_in=guests if checked_in else 0,  # the whole party in
    )
    if days_ago:
        Rsvp.objects.filter(pk=r.pk).update(created_at=now - timedelta(days=days_ago))
    return r


def build_world() -> World:
    owner = factories.make_user(username="owner", first_name="Olive", last_name="Owner")
    group = factories.make_group(owner=owner, name="Sydney Django", slug="sydjango")
    co = factories.make_user(username="coorg")
    group.organisers.add(co)
    member = factories.make_user(username="member", first_name="Mia", last_name="Member")
    speaker_user = factories.make_user(username="speaker")
    speaker = factories.make_speaker(user=speaker_user, name="Sam Speaker")
    other_group = factories.make_group(name="Other", slug="other")
    other_organiser = factories.make_user(username="otherorg")
    other_group.organisers.add(other_organiser)
    staff = factories.make_user(username="staff", is_staff=True)

    event = factories.make_event(group=group, title="November meetup", slug="november", capacity=2)
    draft = factories.make_event(
        group=group, title="Secret draft", slug="secret-draft", status=Event.Status.DRAFT
    )
    other_event = factories.make_event(group=other_group, title="Other meetup", slug="other-meetup")
    talk = factories.make_talk(event=event, title="Async Django", slug="async-django",
                               speakers=[speaker])  # fmt: skip
    rsvp(event, member, guests=1, checked_in=True, days_ago=2)
    rsvp(event, speaker_user, status="waitlisted")
    question = Question.objects.create(
        event=event, talk=None, author=member, text="Leaky question?"
    )
    proposal = Proposal.objects.create(
        group=group, submitter=speaker_user, title="Secret proposal", abstract="x",
        length_minutes=20, status=Proposal.Status.IN_VOTING, event=event, talk=talk,
    )  # fmt: skip
    ProposalVote.objects.create(proposal=proposal, user=member)
    return World(
        group=group,
        owner=owner,
        co_organiser=co,
        member=member,
        speaker_user=speaker_user,
        other_organiser=other_organiser,
        staff=staff,
        event=event,
        draft=draft,
        other_event=other_event,
        talk=talk,
        question=question,
        proposal=proposal,
    )
