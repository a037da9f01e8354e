"""What the mutation run of members/rules.py found untested (docs/testing.md, "Mutation
testing"): which group a membership is read for, and the read-ahead `taking_part_prefetch`,
whose one query must leave `membership_of` and `effective_for_event` nothing to ask.

Each test names the break it guards; each was checked against the mutant it was written for."""

import pytest
from django.contrib.auth.models import AnonymousUser

from meetups.models import Event
from members import policies, rules, services
from members.models import EventPolicy, GroupPolicy
from members.policies import Effective, effective_for_event
from tests import factories
from tests.members.conftest import fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_policies(group, event) -> Effective:
    """Members-only RSVPs for the group, Q&A for people going at `event`: what it resolves to."""
    GroupPolicy.objects.create(group=group, rsvp_audience="members")
    EventPolicy.objects.create(event=event, qa_audience="rsvpd")
    return Effective("members", "rsvpd", "", "rsvpd")


def test_membership_of_another_group_is_none(group, member):
    """Breaks: the membership looked up without its group, so a member of another group counts
    as a member of this one."""
    services.membership_join(group=factories.make_group(), user=member)

    assert rules.membership_of(fresh(member), group) is None
    assert rules.is_member(fresh(member), group) is False


def test_prefetch_answers_a_member_and_the_policies_without_a_query(
    event, member, joined, own_policies, django_assert_num_queries
):
    """Breaks: the prefetch skipped for a signed-in user, not run, or its membership or policies
    not kept where the predicates look."""
    user = fresh(member)
    with django_assert_num_queries(1):
        rules.taking_part_prefetch(user, event)

    with django_assert_num_queries(0):
        membership = rules.membership_of(user, event)
        effective = effective_for_event(event)
    assert (membership.pk, membership.is_active) == (joined.pk, True)
    assert effective == own_policies


def test_prefetched_membership_equals_the_one_the_orm_loads(event, member, joined):
    """Breaks: a column of the read-ahead's row skipped, out of order or left unconverted
    (SQLite hands back the joining time as text; the ORM makes it aware)."""
    user = fresh(member)
    rules.taking_part_prefetch(user, event)
    prefetched = rules.membership_of(user, event)
    loaded = type(joined).objects.get(pk=joined.pk)
    for field in type(joined)._meta.concrete_fields:
        assert getattr(prefetched, field.attname) == getattr(loaded, field.attname), field.name
    assert prefetched.joined_at.tzinfo is not None
    assert prefetched._state.adding is False


def test_prefetch_answers_a_non_member_with_none(
    event, member, own_policies, django_assert_num_queries
):
    """Breaks: the empty membership of the join kept as a membership, not None."""
    user = fresh(member)
    rules.taking_part_prefetch(user, event)

    with django_assert_num_queries(0):
        assert rules.membership_of(user, event) is None
        assert effective_for_event(event) == own_policies


def test_prefetch_answers_a_banned_member(group, event, banned, django_assert_num_queries):
    """Breaks: the prefetched membership lost or not kept, so a ban is read again or missed."""
    user = fresh(banned.user)
    rules.taking_part_prefetch(user, event)

    with django_assert_num_queries(0):
        assert rules.ban_refusal(user, event) == (
            f"You have been banned from {group.name} by its organisers: Spam in the Q&A"
        )
        assert effective_for_event(event) == Effective("anyone", "anyone", "", "")


def test_prefetch_of_an_anonymous_user_asks_nothing(event, django_assert_num_queries):
    """Breaks: an anonymous user prefetched (a query for a user without id)."""
    with django_assert_num_queries(0):
        rules.taking_part_prefetch(AnonymousUser(), event)
    assert policies.known(event) is False


def test_prefetch_of_a_group_already_known_asks_nothing(
    group, event, member, joined, django_assert_num_queries
):
    """Breaks: the membership already kept for the group not looked at (read again)."""
    user = fresh(member)
    rules.membership_of(user, group)

    with django_assert_num_queries(0):
        rules.taking_part_prefetch(user, event)
    assert policies.known(event) is False


def test_prefetch_when_the_policies_are_known_asks_nothing(
    event, member, own_policies, django_assert_num_queries
):
    """Breaks: the event's policies already kept not looked at (read again)."""
    assert effective_for_event(event) == own_policies
    user = fresh(member)

    with django_assert_num_queries(0):
        rules.taking_part_prefetch(user, event)
    assert getattr(user, rules._CACHE, None) is None


def test_prefetch_of_a_second_group_keeps_the_first(
    group, event, member, joined, django_assert_num_queries
):
    """Breaks: the memberships already kept on the user replaced by a new dict, not added to."""
    other = factories.make_event(group=factories.make_group())
    user = fresh(member)
    rules.taking_part_prefetch(user, event)
    rules.taking_part_prefetch(user, other)

    with django_assert_num_queries(0):
        assert rules.membership_of(user, event).pk == joined.pk
        assert rules.membership_of(user, other) is None
    assert getattr(user, rules._CACHE).keys() == {group.pk, other.group_id}


def test_prefetch_of_an_event_gone_from_the_database_keeps_nothing(
    event, member, django_assert_num_queries
):
    """Breaks: no default for the missing row, so an event deleted meanwhile raises
    StopIteration."""
    Event.objects.filter(pk=event.pk).delete()  # `event` keeps its id, as a stale object does
    user = fresh(member)

    with django_assert_num_queries(1):
        rules.taking_part_prefetch(user, event)
    assert policies.known(event) is False
    assert getattr(user, rules._CACHE, None) is None
