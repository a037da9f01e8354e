"""Who may do what in the live room, as django-rules predicates: each rule written once.

The services enforce them (what the person may not see, or may not run, answers NOT_FOUND;
asking or voting without logging in is FORBIDDEN); the pages, the API and the websocket consumer
ask the same predicates what to show (the templates get flags and an audience computed from
them). *When* a Q&A takes questions and votes (paused, answered, the event over) is its state,
checked by the services and refused as CONFLICT.

Objects: an `Event`, or anything of one event (a `Question`, a `Talk`).
"""

import rules

from meetups.models import Event, Talk
from meetups.rules import can_view_event, is_group_organiser
from members.models import QaAudience
from members.policies import effective_for_event
from members.rules import ban_refusal, is_banned_from, is_member
from rsvp.models import Rsvp

from .models import Question


def _event_of(obj) -> Event | None:
    return obj if obj is None or isinstance(obj, Event) else obj.event


@rules.predicate
def can_view_live(user, obj) -> bool:
    """The live page, its Q&A and its sockets: whoever may see the event (a draft only its
    organisers)."""
    return can_view_event(user, _event_of(obj))


@rules.predicate
def is_live_organiser(user, obj) -> bool:
    return is_group_organiser(user, _event_of(obj))


@rules.predicate
def is_event_speaker(user, obj) -> bool:
    """Speaks at this event (a speaker profile of theirs is on one of its talks)."""
    event = _event_of(obj)
    if event is None or not user.is_authenticated:
        return False
    return Talk.objects.filter(event=event, speakers__user=user).exists()


@rules.predicate
def is_question_visible(user, question: Question) -> bool:
    """In the room: neither waiting for approval nor hidden."""
    return question.status == Question.Status.VISIBLE


@rules.predicate
def in_qa_audience(user, obj) -> bool:
    """The event's Q&A policy (`members.policies`): anyone signed in, members, people going, or
    people checked in. Organisers and the event's speakers always take part."""
    event = _event_of(obj)
    audience = effective_for_event(event).qa_audience
    if audience == QaAudience.ANYONE:
        return True
    if audience == QaAudience.MEMBERS:
        return is_member(user, event)
    rsvps = Rsvp.objects.filter(event_id=event.pk, user_id=user.pk, status=Rsvp.Status.GOING)
    if audience == QaAudience.CHECKED_IN:
        rsvps = rsvps.filter(checked_in_at__isnull=False)
    return rsvps.exists()


# Who may ask and vote (and so answer polls): not banned from the group, and in the audience.
# The policy first: read once per event object, it spares the organiser and speaker queries
# whenever it lets the person in.
takes_part = ~is_banned_from & (in_qa_audience | is_live_organiser | is_event_speaker)

QA_AUDIENCE_REFUSALS = {
    QaAudience.MEMBERS: "This Q&A is for members of the group: join the group to take part.",
    QaAudience.RSVPD: "This Q&A is for people going to the event: RSVP to take part.",
    QaAudience.CHECKED_IN: "This Q&A is for people at the event: check in at the door to "
    "take part.",
}


def qa_refusal(user, obj) -> str | None:
    """Why a signed-in person who can see the event may not ask or vote (and what to do), or
    None. The services refuse with it (FORBIDDEN); the live page shows it by the form."""
    event = _event_of(obj)
    if not user.is_authenticated or not can_view_live(user, event):
        return None
    if message := ban_refusal(user, event):
        return message
    if not takes_part(user, event):
        return QA_AUDIENCE_REFUSALS[effective_for_event(event).qa_audience]
    return None


can_ask = rules.is_authenticated & can_view_live & takes_part
can_vote = rules.is_authenticated & can_view_live & is_question_visible & takes_part
# Approve, hide, restore, answer and pin questions; set the stage and the Q&A settings; see the
# moderation lists and who asked anonymously (the organiser audience of pages and sockets).
can_moderate = is_live_organiser
# The projector's view (the pinned question and the top questions, large): for those who run
# the room or speak in it, not every attendee. The live page shows its link on this rule too.
can_present = can_view_live & (is_live_organiser | is_event_speaker)


# -- polls ------------------------------------------------------------------------------------


def _talk_of(obj) -> Talk | None:
    """The talk a poll belongs to (None for an event-wide poll), or the talk itself."""
    if isinstance(obj, Talk):
        return obj
    return getattr(obj, "talk", None)


@rules.predicate
def is_talk_speaker(user, obj) -> bool:
    """Speaks in this talk (or in the talk of this poll); never for an event-wide poll."""
    talk = _talk_of(obj)
    if talk is None or not user.is_authenticated:
        return False
    return talk.speakers.filter(user=user).exists()


@rules.predicate
def can_answer_poll(user, obj) -> bool:
    """Answer a poll (obj: a poll or its event): whoever may ask in the Q&A, so a rule added to
    `can_ask` (who may take part) holds for polls too. Looked up when asked, not when defined."""
    return can_ask(user, _event_of(obj))


# Prepare, open, close and reveal polls and see hidden results: the event's organisers, and the
# speakers of the poll's own talk (obj: a poll, or the talk a new poll is for).
can_manage_poll = can_view_live & (is_live_organiser | is_talk_speaker)
# The prepare-polls page and the event's poll list with drafts: organisers and any speaker of
# the event (each speaker then manages only their own talks' polls).
can_prepare_polls = can_view_live & (is_live_organiser | is_event_speaker)

rules.add_perm("live.view", can_view_live)
rules.add_perm("live.ask", can_ask)
rules.add_perm("live.vote", can_vote)
rules.add_perm("live.moderate", can_moderate)
rules.add_perm("live.present", can_present)
rules.add_perm("live.answer_poll", can_answer_poll)
rules.add_perm("live.manage_poll", can_manage_poll)
