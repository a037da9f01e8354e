"""`{% join_panel event live_now %}`: the join code and its QR code, on the event page and the
presenter view, whenever the room is live (the caller passes the flag it already asked:
`event_is_live`, or the presenter's own live state)."""

from django import template
from django.urls import reverse

from live.join import join_code, qr_svg

register = template.Library()


@register.inclusion_tag("live/join_panel.html", takes_context=True)
def join_panel(context, event, live_now: bool, variant: str = "page") -> dict:
    if not live_now:
        return {"show": False}
    code = join_code(event.pk)
    path = reverse("live:join_code", kwargs={"code": code})
    request = context.get("request")
    url = request.build_absolute_uri(path) if request is not None else path
    return {
        "show": True,
        "variant": variant,
        "event": event,
        "code": code,
        "short_url": f"{request.get_host()}{path}" if request is not None else path,
        "qr": qr_svg(url, label=f"QR code: opens the live page of {event.title}"),
    }
