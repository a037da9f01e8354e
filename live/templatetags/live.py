from django import template

from live import poll_broadcast, poll_selectors, selectors
from live.models import Poll

register = template.Library()

TALK_QA_LIMIT = 100


@register.simple_tag
def event_is_live(event) -> bool:
    """Whether to link the live page: the event is on now, or live mode was started early
    (at most one query, none for an event that is over)."""
    if selectors.event_is_running(event=event):
        return True
    return selectors.live_mode_on(event=event)


@register.inclusion_tag("live/talk_qa.html")
def talk_qa(talk) -> dict:
    """A talk page's Q&A: read-only visible questions once the event is over (one query)."""
    event = talk.event
    if not selectors.qa_is_read_only(event=event):
        return {"talk": talk, "event": event, "archive": False}
    questions = list(selectors.qa_visible_for_talk(talk=talk)[:TALK_QA_LIMIT])
    return {"talk": talk, "event": event, "archive": True, "questions": questions}


@register.inclusion_tag("live/talk_polls.html")
def talk_polls(talk) -> dict:
    """A talk page's closed polls and their results (two queries; none shown: one)."""
    return {"polls": poll_selectors.talk_poll_archive(talk=talk), "audience": "public"}


@register.inclusion_tag("live/talk_polls.html")
def event_polls(event) -> dict:
    """An event page's closed event-wide polls and their results."""
    return {"polls": poll_selectors.event_poll_archive(event=event), "audience": "public"}


@register.inclusion_tag("live/polls.html#polls_panel", takes_context=True)
def room_polls_panel(context, event, audience: str = "organiser") -> dict:
    """The live page's polls panel for another page of the room (the organiser's dashboard),
    with the ids the polls broadcast swaps (its "organiser" frames). One query while the
    event has no polls."""
    request = context.get("request")
    polls = poll_selectors.room_polls(event_id=event.pk)
    choices = {}
    if request is not None and any(p.status == Poll.Status.OPEN for p in polls):
        choices = poll_selectors.my_poll_choices(user=request.user, event_id=event.pk)
    poll_selectors.mark_my_choices(polls, choices)
    return {
        "event": event,
        "polls": polls,
        "polls_url": poll_broadcast.polls_url(event),
        "read_only": selectors.qa_is_read_only(event=event),
        "audience": audience,
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
