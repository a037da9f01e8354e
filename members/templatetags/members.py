from django import template

from meetups.models import Group

from .. import selectors

register = template.Library()


@register.inclusion_tag("members/membership.html", takes_context=True)
def membership_block(context, group: Group, next: str = "") -> dict:
    """The member count and the viewer's join/leave button (`members/membership.html`)."""
    request = context["request"]
    return {
        "panel": selectors.membership_panel(group=group, user=request.user),
        "user": request.user,
        "next": next,
        "csrf_token": context.get("csrf_token"),
    }
