"""notify.preferences.wants and the batch selector members_wanting."""

import pytest
from django.db import IntegrityError
from django.utils import timezone

from members.models import Membership
from notify.models import Preference
from notify.preferences import wants
from notify.selectors import members_wanting, preferences_of
from notify.services import preference_set
from tests import factories

from .conftest import join


@pytest.mark.parametrize("category", ["events", "reminders", "announcements", "recaps"])
def test_wants_defaults_to_on_without_a_row(group, member, category, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert wants(user=member, group=group, category=category) is True


def test_wants_follows_the_stored_choice_for_that_group_and_category_only(group, member):
    other_group = factories.make_group()
    preference_set(user=member, group=group, category="events", enabled=False)
    assert wants(user=member, group=group, category="events") is False
    assert wants(user=member, group=group, category="reminders") is True
    assert wants(user=member, group=other_group, category="events") is True
    assert wants(user=factories.make_user(), group=group, category="events") is True


def test_preference_set_back_to_default_removes_the_row(group, member):
    preference_set(user=member, group=group, category="recaps", enabled=False)
    assert list(Preference.objects.values_list("category", "enabled")) == [("recaps", False)]
    preference_set(user=member, group=group, category="recaps", enabled=True)
    assert Preference.objects.count() == 0
    assert wants(user=member, group=group, category="recaps") is True


def test_wants_unknown_category_is_a_bug(group, member):
    with pytest.raises(ValueError, match="unknown email category"):
        wants(user=member, group=group, category="spam")


def test_wants_anonymous_is_false(group):
    from django.contrib.auth.models import AnonymousUser

    assert wants(user=AnonymousUser(), group=group, category="events") is False


def test_preference_unique_per_user_group_category(group, member):
    Preference.objects.create(user=member, group=group, category="events", enabled=False)
    with pytest.raises(IntegrityError):
        Preference.objects.create(user=member, group=group, category="events", enabled=True)


def test_preference_category_checked_by_the_database(group, member):
    with pytest.raises(IntegrityError):
        Preference.objects.create(user=member, group=group, category="spam", enabled=False)


def test_members_wanting_active_members_minus_opted_out(group, members, django_assert_num_queries):
    first, second, third = members
    preference_set(user=second, group=group, category="events", enabled=False)
    preference_set(user=third, group=group, category="announcements", enabled=False)
    banned = factories.make_user()
    Membership.objects.create(
        group=group, user=banned, state=Membership.State.BANNED, banned_at=timezone.now()
    )
    join(group, factories.make_user(email=""))
    join(group, factories.make_user(is_active=False))
    join(factories.make_group(), factories.make_user())  # another group's member
    factories.make_user()  # not a member
    with django_assert_num_queries(1):
        assert list(members_wanting(group=group, category="events")) == [first, third]
    assert list(members_wanting(group=group, category="announcements")) == [first, second]


def test_preferences_of_member_groups_and_stored_choices(group, member, django_assert_num_queries):
    join(group, member)
    elsewhere = factories.make_group(name="AAA elsewhere")
    preference_set(user=member, group=elsewhere, category="reminders", enabled=False)
    factories.make_group(name="Not mine")
    with django_assert_num_queries(3):
        entries = preferences_of(user=member)
    assert [(e.group, e.is_member) for e in entries] == [(elsewhere, False), (group, True)]
    assert entries[0].choices == {
        "events": True,
        "reminders": False,
        "announcements": True,
        "recaps": True,
    }
    assert [row[0] for row in entries[1].rows] == ["events", "reminders", "announcements", "recaps"]
