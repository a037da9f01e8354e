"""Who may do what, as django-rules predicates (checked in views and services)."""

import rules

from .models import Event, Group


def _group_of(obj: Group | Event | None) -> Group | None:
    if isinstance(obj, Event):
        return obj.group
    return obj


@rules.predicate
def is_group_organiser(user, obj: Group | Event | None) -> bool:
    group = _group_of(obj)
    if group is None or not user.is_authenticated:
        return False
    if user.is_staff or group.owner_id == user.pk:
        return True
    return group.organisers.filter(pk=user.pk).exists()


rules.add_perm("meetups.organise_group", is_group_organiser)
rules.add_perm("meetups.view_draft_event", is_group_organiser)
