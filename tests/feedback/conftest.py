"""A talk of an evening that ended an hour ago, and one person of each kind around it."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from feedback.selectors import talk_get
from meetups.models import Event, Talk
from rsvp.models import Rsvp
from tests import factories


def rsvp(event: Event, user, status: str = Rsvp.Status.GOING, *, checked_in: bool = False):
    return Rsvp.objects.create(
        event=event,
        user=user,
        status=status,
        queued_at=event.starts_at - timedelta(days=1),
        checked_in_at=event.starts_at if checked_in else None,
    )


@dataclass
class World:
    event: Event
    talk: Talk
    other_talk: Talk
    organiser: object
    speaker: object  # the user of the talk's speaker profile
    other_speaker: object  # speaks at the same event, another talk
    checked_in: object
    going: object  # going, not checked in, at an event where others were
    waitlisted: object
    cancelled: object
    stranger: object


@pytest.fixture
def world(db) -> World:
    organiser = factories.make_user(username="olive")
    group = factories.make_group(slug="syd")
    group.organisers.add(organiser)
    now = timezone.now().replace(microsecond=0)
    event = factories.make_event(
        group=group,
        slug="evening",
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=1),
    )
    speaker = factories.make_user(username="sam", first_name="Sam Speaker")
    other_speaker = factories.make_user(username="oscar", first_name="Oscar Other")
    talk = factories.make_talk(
        event=event,
        slug="the-talk",
        title="The talk",
        order=1,
        speakers=[factories.make_speaker(user=speaker, name="Sam Speaker")],
    )
    other_talk = factories.make_talk(
        event=event,
        slug="other-talk",
        title="Other talk",
        order=2,
        speakers=[factories.make_speaker(user=other_speaker, name="Oscar Other")],
    )
    people = {
        name: factories.make_user(username=name, first_name=name.title())
        for name in ("carla", "gus", "wanda", "cyril", "stella")
    }
    rsvp(event, people["carla"], checked_in=True)
    rsvp(event, people["gus"])
    rsvp(event, people["wanda"], Rsvp.Status.WAITLISTED)
    rsvp(event, people["cyril"], Rsvp.Status.CANCELLED)
    return World(
        event=event,
        talk=talk,
        other_talk=other_talk,
        organiser=organiser,
        speaker=speaker,
        other_speaker=other_speaker,
        checked_in=people["carla"],
        going=people["gus"],
        waitlisted=people["wanda"],
        cancelled=people["cyril"],
        stranger=people["stella"],
    )


def talk_of(world: World) -> Talk:
    """The talk as the pages load it (event, group and speakers)."""
    return talk_get(slug=world.talk.slug)
