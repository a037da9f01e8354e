"""Reads of notify: who to email, a person's preferences page, a group's announcements."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from meetups.models import Group
from members.models import Membership

from .models import CATEGORY_DEFAULTS, Announcement, Category, Preference
from .preferences import check_category


def members_wanting(*, group: Group, category: str) -> QuerySet:
    """The active members of `group` (active accounts with an email address) who want
    `category` emails: one query for any number of them, ordered by id."""
    check_category(category)
    chosen = Preference.objects.filter(group=group, category=category)
    members = Membership.objects.active().filter(group=group).values("user_id")
    people = get_user_model().objects.filter(pk__in=members, is_active=True).exclude(email="")
    if CATEGORY_DEFAULTS[category]:
        people = people.exclude(pk__in=chosen.filter(enabled=False).values("user_id"))
    else:
        people = people.filter(pk__in=chosen.filter(enabled=True).values("user_id"))
    return people.order_by("pk")


@dataclass
class GroupPreferences:
    group: Group
    is_member: bool
    choices: dict[str, bool]

    @property
    def rows(self) -> list[tuple[str, str, bool]]:
        """(category, label, enabled) in the categories' order, for the page."""
        return [(value, label, self.choices[value]) for value, label in Category.choices]


def preferences_of(*, user: AbstractBaseUser) -> list[GroupPreferences]:
    """Every group `user` is an active member of, or has a stored choice for (someone who
    unsubscribed from a group's reminders without joining it can turn them back on), with
    each category's current value. Three queries."""
    stored = list(
        Preference.objects.filter(user=user).values_list("group_id", "category", "enabled")
    )
    member_of = set(
        Membership.objects.active().filter(user=user).values_list("group_id", flat=True)
    )
    groups = Group.objects.filter(Q(pk__in=member_of) | Q(pk__in={g for g, _, _ in stored}))
    by_group = {}
    for group in groups.order_by("name", "pk"):
        by_group[group.pk] = GroupPreferences(
            group=group, is_member=group.pk in member_of, choices=dict(CATEGORY_DEFAULTS)
        )
    for group_id, category, enabled in stored:
        if group_id in by_group:
            by_group[group_id].choices[category] = enabled
    return list(by_group.values())


def announcements_of(*, group: Group) -> QuerySet:
    """A group's announcements, newest first, with their senders (one query)."""
    return Announcement.objects.filter(group=group).select_related("sender")


def group_preferences(*, user: AbstractBaseUser, group: Group) -> GroupPreferences:
    """One group's entry of `preferences_of` (two queries)."""
    choices = dict(CATEGORY_DEFAULTS)
    choices.update(
        Preference.objects.filter(user=user, group=group).values_list("category", "enabled")
    )
    is_member = Membership.objects.active().filter(user=user, group=group).exists()
    return GroupPreferences(group=group, is_member=is_member, choices=choices)
