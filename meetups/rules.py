"""Who may do what with groups and events, as django-rules predicates.

Every app asks these (views, API routers, consumers, templates through `has_perm`), so the rule
for "organiser of this group" and "may see this event" is written here once.
"""

import rules

from .models import Event, Group, Talk


def _group_of(obj: Group | Event | Talk | None) -> Group | None:
    if isinstance(obj, Talk):
        return obj.event.group
    if isinstance(obj, Event):
        return obj.group
    return obj


@rules.predicate
def is_group_organiser(user, obj: Group | Event | Talk | None) -> bool:
    group = _group_of(obj)
    if group is None or not user.is_authenticated:
        return False
    if user.is_staff or group.owner_id == user.pk:
        return True
    return group.organisers.filter(pk=user.pk).exists()


@rules.predicate
def is_event_public(user, event: Event | None) -> bool:
    """Published and cancelled events are public; a draft is not."""
    return event is not None and event.status != Event.Status.DRAFT


# A draft exists only for its group's organisers; to everyone else it answers 404.
can_view_event = is_event_public | is_group_organiser


@rules.predicate
def is_talk_event_viewable(user, talk: Talk | None) -> bool:
    return talk is not None and can_view_event(user, talk.event)


@rules.predicate
def is_talk_speaker(user, talk: Talk | None) -> bool:
    """One of the talk's speakers: a speaker profile on the talk is linked to this account."""
    if talk is None or not user.is_authenticated:
        return False
    # Through `all()`, so a talk fetched with its speakers (every talk page) asks nothing more.
    return any(speaker.user_id == user.pk for speaker in talk.speakers.all())


# Attach and remove slides and links: the talk's speakers and its group's organisers (a draft
# event's talks only its organisers, who alone may see them).
can_edit_talk_resources = is_talk_event_viewable & (is_group_organiser | is_talk_speaker)

rules.add_perm("meetups.organise_group", is_group_organiser)
rules.add_perm("meetups.view_event", can_view_event)
rules.add_perm("meetups.edit_talk_resources", can_edit_talk_resources)
