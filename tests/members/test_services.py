"""Joining, leaving, listing, removing, banning and unbanning: the services and their rules."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError
from django.utils import timezone

from members import rules, services
from members.models import Membership
from portal.errors import Kind, ServiceError
from tests import factories

from .conftest import BAN_MESSAGE, fresh

pytestmark = pytest.mark.django_db


def test_join_creates_one_active_listed_membership(group, member):
    membership, created = services.membership_join(group=group, user=member)

    assert created is True
    assert (membership.state, membership.listed) == (Membership.State.ACTIVE, True)
    assert rules.is_member(fresh(member), group) is True


def test_join_twice_changes_nothing(group, member, joined):
    membership, created = services.membership_join(group=group, user=member)

    assert (created, membership.pk) == (False, joined.pk)
    assert Membership.objects.filter(group=group).count() == 1


def test_one_membership_per_person_is_a_database_rule(group, member, joined):
    with pytest.raises(IntegrityError):
        Membership.objects.create(group=group, user=member)


def test_join_anonymous_is_forbidden(group):
    with pytest.raises(ServiceError) as refused:
        services.membership_join(group=group, user=AnonymousUser())
    assert refused.value.kind == Kind.FORBIDDEN


def test_leave_deletes_the_membership(group, member, joined):
    assert services.membership_leave(group=group, user=member) is True

    assert Membership.objects.filter(group=group).count() == 0
    assert services.membership_leave(group=group, user=member) is False


def test_listed_set_changes_only_the_members_choice(group, member, joined):
    services.membership_listed_set(group=group, user=member, listed=False)

    assert Membership.objects.get(pk=joined.pk).listed is False


def test_listed_set_without_membership_is_a_conflict(group, member):
    with pytest.raises(ServiceError) as refused:
        services.membership_listed_set(group=group, user=member, listed=False)
    assert (refused.value.kind, refused.value.message) == (Kind.CONFLICT, "Join the group first.")


def test_ban_records_who_when_and_why(group, organiser, banned):
    assert banned.state == Membership.State.BANNED
    assert banned.banned_by == organiser
    assert banned.banned_reason == "Spam in the Q&A"
    assert abs((timezone.now() - banned.banned_at).total_seconds()) < 5


def test_banned_person_cannot_rejoin_and_is_told_why(group, banned):
    with pytest.raises(ServiceError) as refused:
        services.membership_join(group=group, user=fresh(banned.user))

    assert refused.value.kind == Kind.FORBIDDEN
    assert refused.value.message == BAN_MESSAGE.format(group=group.name)


def test_banned_person_cannot_leave_to_lift_the_ban(group, banned):
    with pytest.raises(ServiceError) as refused:
        services.membership_leave(group=group, user=fresh(banned.user))

    assert refused.value.kind == Kind.FORBIDDEN
    assert Membership.objects.get(pk=banned.pk).is_banned is True


def test_ban_without_reason_says_so_without_one(group, organiser, joined, member):
    services.member_ban(group=group, membership_id=joined.pk, user=organiser, reason="")

    assert rules.ban_refusal(fresh(member), group) == (
        f"You have been banned from {group.name} by its organisers."
    )


def test_ban_reason_must_be_one_line(group, organiser, joined):
    with pytest.raises(ServiceError) as refused:
        services.member_ban(group=group, membership_id=joined.pk, user=organiser, reason="one\ntwo")

    assert (refused.value.kind, refused.value.field) == (Kind.INVALID, "reason")
    assert Membership.objects.get(pk=joined.pk).is_banned is False


def test_ban_reason_is_bounded(group, organiser, joined):
    with pytest.raises(ServiceError) as refused:
        services.member_ban(group=group, membership_id=joined.pk, user=organiser, reason="x" * 301)
    assert refused.value.field == "reason"


def test_unban_makes_them_a_member_again(group, organiser, banned):
    services.member_unban(group=group, membership_id=banned.pk, user=organiser)

    row = Membership.objects.get(pk=banned.pk)
    assert (row.state, row.banned_reason, row.banned_at, row.banned_by) == (
        "active",
        "",
        None,
        None,
    )
    assert rules.is_member(fresh(banned.user), group) is True


def test_unban_someone_not_banned_is_a_conflict(group, organiser, joined):
    with pytest.raises(ServiceError) as refused:
        services.member_unban(group=group, membership_id=joined.pk, user=organiser)
    assert refused.value.kind == Kind.CONFLICT


def test_remove_deletes_and_they_may_join_again(group, organiser, member, joined):
    services.member_remove(group=group, membership_id=joined.pk, user=organiser)

    assert Membership.objects.filter(pk=joined.pk).exists() is False
    _membership, created = services.membership_join(group=group, user=fresh(member))
    assert created is True


def test_remove_a_banned_person_is_a_conflict(group, organiser, banned):
    with pytest.raises(ServiceError) as refused:
        services.member_remove(group=group, membership_id=banned.pk, user=organiser)
    assert refused.value.kind == Kind.CONFLICT
    assert Membership.objects.filter(pk=banned.pk).exists() is True


@pytest.mark.parametrize("action", ["ban", "remove", "unban"])
def test_a_member_cannot_moderate(group, member, joined, action, banned):
    target = banned if action == "unban" else joined
    call = getattr(services, f"member_{action}")
    extra = {"reason": "x"} if action == "ban" else {}
    with pytest.raises(ServiceError) as refused:
        call(group=group, membership_id=target.pk, user=member, **extra)
    assert refused.value.kind == Kind.NOT_FOUND


def test_another_groups_organiser_gets_not_found(group, joined):
    other = factories.make_user(username="other-organiser")
    factories.make_group(owner=other)
    with pytest.raises(ServiceError) as refused:
        services.member_ban(group=group, membership_id=joined.pk, user=other, reason="x")
    assert refused.value.kind == Kind.NOT_FOUND
    assert Membership.objects.get(pk=joined.pk).is_banned is False


def test_a_membership_of_another_group_is_not_found(group, organiser, member):
    other_group = factories.make_group()
    elsewhere, _ = services.membership_join(group=other_group, user=member)
    with pytest.raises(ServiceError) as refused:
        services.member_remove(group=group, membership_id=elsewhere.pk, user=organiser)
    assert refused.value.kind == Kind.NOT_FOUND


def test_organisers_cannot_ban_themselves_or_another_organiser(group, organiser):
    owner = factories.make_user(username="owner")
    group.owner = owner
    group.save()
    own, _ = services.membership_join(group=group, user=organiser)
    owners, _ = services.membership_join(group=group, user=owner)
    for target, actor in ((own, organiser), (owners, organiser), (own, owner)):
        with pytest.raises(ServiceError) as refused:
            services.member_ban(group=group, membership_id=target.pk, user=actor, reason="x")
        assert refused.value.kind == Kind.FORBIDDEN
    assert Membership.objects.banned().count() == 0
