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


can_ask = rules.is_authenticated & can_view_live
can_vote = rules.is_authenticated & can_view_live & is_question_visible
# Approve, hide, restore, answer and pin questions; set the stage and the Q&A settings; see the
# moderation lists and who asked anonymously (the organiser audience of pages and sockets).
can_moderate = is_live_organiser
# The projector's view (the pinned question and the top questions, large): for those who run
# the room or speak in it, not every attendee. The live page shows its link on this rule too.
can_present = can_view_live & (is_live_organiser | is_event_speaker)

rules.add_perm("live.view", can_view_live)
rules.add_perm("live.ask", can_ask)
rules.add_perm("live.vote", can_vote)
rules.add_perm("live.moderate", can_moderate)
rules.add_perm("live.present", can_present)
