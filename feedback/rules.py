"""Who may rate a talk and who may read its feedback, as django-rules predicates.

Objects: a `Talk` (with its `event`; `feedback.selectors.talk_get` loads what these need).

- Rating (`can_give_feedback`): a signed-in person who was there and is not one of the talk's
  speakers, while the talk's feedback is open. "Was there": checked in at the door of the
  talk's event; or, at an event where nobody was checked in at all (no door was kept), an RSVP
  that is going (not waitlisted, not cancelled). Open (`feedback_state`): from the moment the
  talk was first set as the one on stage (live's current talk, remembered in `TalkOnStage`) once
  the event has started, or from the event's end, until `FEEDBACK_WINDOW` after the event ends.
  Giving and changing one's feedback close together. A cancelled event has no feedback.
- Reading (`can_view_feedback`): the talk's speakers (ratings and comments, never who wrote
  them) and the group's organisers (`can_see_raters`: with names, as they answer for the code
  of conduct a comment may break; the form says so).

The service (`feedback.services.feedback_save`) enforces `can_give_feedback` part by part so
each refusal says what is wrong: who (FORBIDDEN) apart from when (CONFLICT).
"""

from datetime import datetime, timedelta
from enum import StrEnum

import rules
from django.utils import timezone

from meetups.models import Event, Talk
from meetups.rules import can_view_event, is_group_organiser
from rsvp.models import Rsvp

from .models import TalkOnStage

FEEDBACK_WINDOW = timedelta(days=7)


class State(StrEnum):
    NOT_YET = "not_yet"  # the talk has not been on stage and the event is not over
    OPEN = "open"
    CLOSED = "closed"  # more than FEEDBACK_WINDOW after the event ended
    CANCELLED = "cancelled"  # the event was cancelled: nobody saw the talk


def closes_at(talk: Talk) -> datetime:
    return talk.event.ends_at + FEEDBACK_WINDOW


def feedback_state(talk: Talk, now: datetime | None = None) -> State:
    """Whether the talk takes feedback now (at most one query: the stage record, asked only
    while the event is running)."""
    event = talk.event
    now = now or timezone.now()
    if event.status == Event.Status.CANCELLED:
        return State.CANCELLED
    if now > closes_at(talk):
        return State.CLOSED
    if now >= event.ends_at:
        return State.OPEN
    if now >= event.starts_at and TalkOnStage.objects.filter(talk_id=talk.pk).exists():
        return State.OPEN
    return State.NOT_YET


@rules.predicate
def can_view_talk(user, talk: Talk) -> bool:
    return can_view_event(user, talk.event)


@rules.predicate
def is_talk_speaker(user, talk: Talk) -> bool:
    """One of the talk's speaker profiles is this person's (the prefetched speakers if loaded)."""
    if not user.is_authenticated:
        return False
    return any(speaker.user_id == user.pk for speaker in talk.speakers.all())


@rules.predicate
def is_talk_organiser(user, talk: Talk) -> bool:
    return is_group_organiser(user, talk.event)


@rules.predicate
def was_there(user, talk: Talk) -> bool:
    """Checked in at the talk's event; or going to it, if nobody at all was checked in."""
    if not user.is_authenticated:
        return False
    mine = list(
        Rsvp.objects.filter(
            event_id=talk.event_id, user=user, status=Rsvp.Status.GOING
        ).values_list("checked_in_at", flat=True)[:1]
    )
    if not mine:
        return False
    if mine[0] is not None:
        return True
    door_kept = Rsvp.objects.filter(event_id=talk.event_id, checked_in_at__isnull=False)
    return not door_kept.exists()


@rules.predicate
def feedback_is_open(user, talk: Talk) -> bool:
    return feedback_state(talk) == State.OPEN


# Who may rate, leaving aside when: the service tells the two apart (403 / 409).
is_eligible_rater = rules.is_authenticated & can_view_talk & ~is_talk_speaker & was_there
# When first: a talk of an evening long past costs no query at all.
can_give_feedback = feedback_is_open & is_eligible_rater
can_view_feedback = can_view_talk & (is_talk_speaker | is_talk_organiser)
can_see_raters = can_view_talk & is_talk_organiser

rules.add_perm("feedback.give", can_give_feedback)
rules.add_perm("feedback.view", can_view_feedback)
rules.add_perm("feedback.see_raters", can_see_raters)
