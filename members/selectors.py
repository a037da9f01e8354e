"""Reads for memberships: the group page's count and button, the public members list."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from meetups.models import Event, Group
from meetups.rules import is_group_organiser
from portal.errors import get_or_not_found, not_found

from . import rules
from .models import Membership

MEMBERS_PAGE_SIZE = 50


def group_get(*, slug: str) -> Group:
    return get_or_not_found(Group.objects.all(), "No group found.", slug=slug)


def member_count(*, group: Group) -> int:
    """Active members (one query)."""
    return Membership.objects.active().filter(group=group).count()


def listed_members(*, group: Group) -> QuerySet[Membership]:
    """Active members who chose to be listed, earliest first, with their user (one query per
    page)."""
    return (
        Membership.objects.listed()
        .filter(group=group)
        .select_related("user")
        .order_by("joined_at", "pk")
    )


@dataclass
class MembershipPanel:
    """What the group page's join/leave block shows one viewer."""

    group: Group
    count: int
    membership: Membership | None
    can_join: bool
    can_leave: bool
    ban_message: str | None


def membership_panel(*, group: Group, user: AbstractBaseUser) -> MembershipPanel:
    """The count and the viewer's membership: two queries (one when signed out)."""
    return MembershipPanel(
        group=group,
        count=member_count(group=group),
        membership=rules.membership_of(user, group),
        can_join=rules.can_join(user, group),
        can_leave=rules.can_leave(user, group),
        ban_message=rules.ban_refusal(user, group),
    )


def memberships_of_user(*, user: AbstractBaseUser) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("group").order_by("joined_at")


def organised_group_get(*, slug: str, user: AbstractBaseUser) -> Group:
    """The group, for its organisers; NOT_FOUND for anyone else (the API's member management)."""
    group = Group.objects.filter(slug=slug).first()
    if group is None or not rules.can_manage_members(user, group):
        raise not_found("No group found.")
    return group


def organised_event_get(*, slug: str, user: AbstractBaseUser) -> Event:
    event = Event.objects.select_related("group").filter(slug=slug).first()
    if event is None or not is_group_organiser(user, event):
        raise not_found("No event found.")
    return event


def all_members(*, group: Group) -> QuerySet[Membership]:
    """Everyone with a membership row (active and banned), for the group's organisers: banned
    first, then by joining date, with their user and who banned them (one query per page)."""
    return (
        Membership.objects.filter(group=group)
        .select_related("user", "banned_by")
        .order_by("-state", "joined_at", "pk")
    )
