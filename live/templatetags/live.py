from django import template

from live import selectors

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
