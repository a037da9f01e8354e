"""The organisers' members page (organise/views/members.py): everyone with joined date and
events attended, remove, ban and unban, the group's and an event's policies."""

from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from members.models import EventPolicy, GroupPolicy, Membership
from rsvp import services as rsvp_services
from tests import factories

pytestmark = pytest.mark.django_db


def _url(name, group, **kwargs) -> str:
    return reverse(f"organise:{name}", kwargs={"group": group.slug, **kwargs})


def test_page_shows_everyone_with_joined_and_attended(
    client, group, organiser, member, joined, banned
):
    hidden = factories.make_user(username="hidden", first_name="Hidden Person")
    Membership.objects.create(group=group, user=hidden, listed=False)
    came = factories.make_event(group=group)
    rsvp = rsvp_services.rsvp_create(event=came, user=member).rsvp
    rsvp_services.rsvp_check_in(rsvp=rsvp, user=organiser)
    other_group_event = factories.make_event(group=factories.make_group())
    rsvp_services.rsvp_check_in(
        rsvp=rsvp_services.rsvp_create(event=other_group_event, user=member).rsvp,
        user=factories.make_user(is_staff=True),
    )
    client.force_login(organiser)

    page = client.get(_url("members", group)).content.decode()

    assert "Hidden Person" in page and "Not listed</span>" in page
    assert "Banned</span>" in page and "“Spam in the Q&amp;A”" in page
    # The date in the group's zone, as the page shows it (UTC's differs for part of each day).
    joined_on = joined.joined_at.astimezone(ZoneInfo(group.time_zone))
    assert f"joined {joined_on:%-d %b %Y} · came to 1 event</p>" in page
    assert page.count("came to 0 events</p>") == 2


def test_organiser_bans_from_the_page_and_the_reason_reaches_them(
    client, group, organiser, member, joined
):
    client.force_login(organiser)

    response = client.post(
        _url("member_ban", group, membership_id=joined.pk), {"reason": "Rude at the door"}
    )

    assert response.status_code == 302
    assert response.url == _url("members", group)
    row = Membership.objects.get(pk=joined.pk)
    assert (row.state, row.banned_reason, row.banned_by) == (
        "banned",
        "Rude at the door",
        organiser,
    )
    client.force_login(member)
    page = client.get(group.get_absolute_url()).content.decode()
    assert f"You have been banned from {group.name} by its organisers: Rude at the door" in page


def test_organiser_unbans_and_removes(client, group, organiser, joined, banned):
    client.force_login(organiser)

    client.post(_url("member_unban", group, membership_id=banned.pk))
    client.post(_url("member_remove", group, membership_id=joined.pk))

    assert Membership.objects.get(pk=banned.pk).state == "active"
    assert Membership.objects.filter(pk=joined.pk).exists() is False


def test_organiser_cannot_ban_a_co_organiser_and_is_told(client, group, organiser):
    co = factories.make_user(username="co")
    group.organisers.add(co)
    membership = Membership.objects.create(group=group, user=co)
    client.force_login(organiser)

    response = client.post(_url("member_ban", group, membership_id=membership.pk), follow=True)

    assert "Organisers of the group cannot be removed or banned here." in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).state == "active"
    page = client.get(_url("members", group)).content.decode()
    assert "Organiser of the group</p>" in page


def test_ban_reason_on_two_lines_is_refused(client, group, organiser, joined):
    client.force_login(organiser)

    response = client.post(
        _url("member_ban", group, membership_id=joined.pk), {"reason": "a\nb"}, follow=True
    )

    assert "one line" in response.content.decode()
    assert Membership.objects.get(pk=joined.pk).state == "active"


@pytest.mark.parametrize("who", ["member", "other_organiser", "banned"])
def test_everyone_else_gets_not_found_and_nothing_changes(client, group, joined, banned, who):
    other = factories.make_user(username="other")
    factories.make_group(owner=other)
    person = {"member": joined.user, "other_organiser": other, "banned": banned.user}[who]
    client.force_login(person)

    answers = [
        client.get(_url("members", group)).status_code,
        client.post(_url("member_ban", group, membership_id=joined.pk)).status_code,
        client.post(_url("member_unban", group, membership_id=banned.pk)).status_code,
        client.post(_url("member_remove", group, membership_id=joined.pk)).status_code,
        client.post(_url("group_policy", group), {"rsvp_audience": "members"}).status_code,
    ]

    assert answers == [404] * 5
    assert sorted(Membership.objects.values_list("state", flat=True)) == ["active", "banned"]
    assert GroupPolicy.objects.count() == 0


def test_group_policy_form_saves(client, group, organiser):
    client.force_login(organiser)

    response = client.post(
        _url("group_policy", group), {"rsvp_audience": "members", "qa_audience": "rsvpd"}
    )

    assert response.status_code == 302
    policy = GroupPolicy.objects.get(group=group)
    assert (policy.rsvp_audience, policy.qa_audience) == ("members", "rsvpd")


def test_group_policy_form_refuses_an_unknown_choice(client, group, organiser):
    client.force_login(organiser)

    response = client.post(_url("group_policy", group), {"rsvp_audience": "everyone"})

    assert response.status_code == 422
    assert "Select a valid choice." in response.content.decode()
    assert GroupPolicy.objects.count() == 0


def test_event_policy_page_overrides_and_shows_what_applies(client, group, organiser, event):
    GroupPolicy.objects.create(group=group, rsvp_audience="members")
    client.force_login(organiser)
    url = _url("event_policy", group, event=event.slug)

    page = client.get(url).content.decode()
    assert (
        "Now: <strong>Members of the group</strong> may RSVP; <strong>Members of the group"
        "</strong> may ask" in page
    )

    response = client.post(url, {"rsvp_audience": "", "qa_audience": "checked_in"})

    assert response.status_code == 302
    policy = EventPolicy.objects.get(event=event)
    assert (policy.rsvp_audience, policy.qa_audience) == ("", "checked_in")
    page = client.get(url).content.decode()
    assert "<strong>People checked in at the door</strong> may ask" in page


@pytest.mark.parametrize("n", [2, 6])
def test_members_page_queries_do_not_grow(client, group, organiser, n, django_assert_num_queries):
    for _ in range(n):
        person = factories.make_user()
        Membership.objects.create(group=group, user=person)
        rsvp_services.rsvp_create(event=factories.make_event(group=group), user=person)
    client.force_login(organiser)

    # session, user, group (+ organiser check), page count, rows with attendance, organiser ids,
    # the group's policy, the footer's group
    with django_assert_num_queries(9):
        response = client.get(_url("members", group))

    assert response.content.decode().count('<li class="space-y-2 p-4" id="member-') == n
