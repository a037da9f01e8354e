"""Your data, the members part: the export lists memberships, erasure deletes them."""

import pytest
from django.utils import timezone

from members.demo import load_demo_members
from members.models import Membership
from portal.personal_data import account_erase, personal_data_export
from tests import factories

pytestmark = pytest.mark.django_db


def test_export_lists_memberships_and_a_ban(group, member, joined, banned):
    mine = personal_data_export(user=member)["sections"]["memberships"]
    theirs = personal_data_export(user=banned.user)["sections"]["memberships"]

    assert [(m["group"], m["state"], m["listed"], m["banned_reason"]) for m in mine] == [
        (group.name, "active", True, None)
    ]
    assert [(m["state"], m["banned_reason"]) for m in theirs] == [("banned", "Spam in the Q&A")]


def test_erasure_deletes_memberships_bans_included(group, member, joined, banned):
    other = factories.make_group()
    Membership.objects.create(group=other, user=member)

    account_erase(user=member)
    account_erase(user=banned.user)

    assert Membership.objects.count() == 0


def test_demo_members_join_the_seed_group_once(group, member):
    now = timezone.now()
    load_demo_members(group=group, member_email=member.email, now=now)
    load_demo_members(group=group, member_email=member.email, now=now)

    assert Membership.objects.filter(group=group).count() == 25
    assert Membership.objects.filter(group=group, user=member).exists() is True
    assert Membership.objects.filter(group=group, listed=False).count() == 5
