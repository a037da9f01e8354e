from django import template
from django.utils.safestring import SafeString

from meetups import ics
from meetups.markdown import render_markdown
from meetups.models import Event

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """Render user Markdown to sanitised HTML."""
    return render_markdown(text)


@register.inclusion_tag("meetups/calendar_links.html")
def calendar_links(event: Event, compact: bool = False) -> dict:
    """ "Add to calendar" (.ics, Google, Outlook) for an event still to come; nothing for a past
    or cancelled one."""
    show = not event.is_past and not event.is_cancelled
    return {
        "event": event,
        "show": show,
        "compact": compact,
        "links": ics.calendar_links(event) if show else None,
    }
