"""`{% load organise %}`: organiser links whose permission is checked in Python, and the
dashboard's live numbers."""

from django import template

from organise import nav as tags
from organise import selectors

register = template.Library()

register.simple_tag(tags.organise_event_url, takes_context=True)
register.simple_tag(tags.organise_nav_url, takes_context=True)


@register.simple_tag
def dashboard_live_numbers(event, counts: dict) -> dict:
    """The dashboard's question counts and summary, for the fragments that ride on live's
    counts broadcast (organise/receivers.py renders `dashboard.html#door_stats`, which adds
    them): two queries, then the summary's two."""
    questions = selectors.question_counts(event=event)
    summary = selectors.event_summary(event=event, counts=counts, questions=questions)
    return {"question_counts": questions, "summary": summary}
