"""Feedback panels on other apps' pages: the talk page's "Rate this talk", the speaker's
profile (their talks' feedback) and the organiser's dashboard (counts and averages)."""

from django import template
from django.utils import timezone

from feedback import rules, selectors
from meetups.models import Event

register = template.Library()


@register.inclusion_tag("feedback/_talk_panel.html", takes_context=True)
def talk_feedback_panel(context, talk) -> dict:
    """What the talk page offers: to rate it (`rules.can_give_feedback`), to read its feedback
    (`rules.can_view_feedback`); a visitor who is not signed in, while feedback is open after
    the event, a link to log in and rate. No query for a visitor or an evening long past."""
    user = context["request"].user
    event = talk.event
    result = {"talk": talk, "can_give": False, "can_view": False, "login_to_rate": False}
    if not user.is_authenticated:
        now = timezone.now()
        result["login_to_rate"] = (
            event.status == Event.Status.PUBLISHED and event.ends_at <= now <= rules.closes_at(talk)
        )
        return result
    result["can_give"] = rules.can_give_feedback(user, talk)
    result["can_view"] = rules.can_view_feedback(user, talk)
    return result


@register.inclusion_tag("feedback/_speaker_feedback.html", takes_context=True)
def speaker_feedback(context) -> dict:
    """The signed-in speaker's own talks with their ratings and comments, without names."""
    return {"talks": selectors.speaker_talks_with_feedback(user=context["request"].user)}


@register.inclusion_tag("feedback/_dashboard.html")
def event_feedback_summary(event) -> dict:
    """Counts and averages per talk, for the organiser's dashboard (one query)."""
    return {"event": event, "rows": selectors.event_feedback_summaries(event=event)}
