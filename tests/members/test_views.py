"""The group page's join/leave block, the members page, and their queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Membership
from tests import factories

from .conftest import BAN_MESSAGE

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _join_url(group) -> str:
    return reverse("members:join", kwargs={"slug": group.slug})


def test_group_page_shows_the_count_and_join_button(client, group, member):
    for _ in range(3):
        Membership.objects.create(group=group, user=factories.make_user())
    client.force_login(member)

    page = client.get(group.get_absolute_url()).content.decode()

    assert '<strong class="text-base text-stone-900" data-member-count>3</strong> members' in page
    assert f'action="{_join_url(group)}"' in page
    assert 'data-focus-key="membership-join">Join the group</button>' in page


def test_group_page_anonymous_is_asked_to_log_in(client, group):
    page = client.get(group.get_absolute_url()).content.decode()

    assert f'href="/accounts/login/?next={group.get_absolute_url()}">Log in to join</a>' in page
    assert "See who's in" not in page


def test_join_without_javascript_redirects_back_with_a_message(client, group, member):
    client.force_login(member)

    response = client.post(_join_url(group), follow=True)

    assert response.redirect_chain == [(group.get_absolute_url(), 302)]
    page = response.content.decode()
    assert f"Welcome to {group.name}!" in page
    assert 'data-focus-key="membership-leave">Leave the group</button>' in page
    assert Membership.objects.filter(group=group, user=member).count() == 1


def test_join_with_htmx_answers_the_block_and_the_event(client, group, member):
    client.force_login(member)

    response = client.post(_join_url(group), **HTMX)

    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<div id="membership-{group.pk}"')
    assert '<strong class="text-base text-stone-900" data-member-count>1</strong> member' in body
    assert "membershipChanged" in response["HX-Trigger"]
    assert f"Welcome to {group.name}!" in response["HX-Trigger"]


def test_leave_with_htmx(client, group, member, joined):
    client.force_login(member)

    response = client.post(reverse("members:leave", kwargs={"slug": group.slug}), **HTMX)

    assert response.status_code == 200
    assert 'data-focus-key="membership-join">Join the group</button>' in response.content.decode()
    assert Membership.objects.filter(group=group).count() == 0


def test_join_next_must_stay_on_the_site(client, group, member):
    client.force_login(member)

    response = client.post(_join_url(group), {"next": "https://evil.example/"})

    assert response.url == group.get_absolute_url()


def test_join_anonymous_goes_to_log_in_and_writes_nothing(client, group):
    response = client.post(_join_url(group))

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert Membership.objects.count() == 0


def test_join_is_rate_limited(client, group, member, settings, stopped_clock):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "members.join": "2/m"}
    client.force_login(member)
    client.post(_join_url(group))
    client.post(reverse("members:leave", kwargs={"slug": group.slug}))

    response = client.post(_join_url(group), **HTMX)

    assert response.status_code == 429
    assert "You are going a little fast" in response.content.decode()
    assert Membership.objects.count() == 0


def test_banned_person_sees_the_ban_not_a_join_button(client, group, banned):
    client.force_login(banned.user)

    page = client.get(group.get_absolute_url()).content.decode()

    assert BAN_MESSAGE.format(group=group.name).replace("&", "&amp;") in page
    assert "Join the group</button>" not in page


def test_banned_person_joining_is_refused_with_the_reason(client, group, banned):
    client.force_login(banned.user)

    response = client.post(_join_url(group))

    assert response.status_code == 403
    assert BAN_MESSAGE.format(group=group.name).replace("&", "&amp;") in response.content.decode()
    assert Membership.objects.get(pk=banned.pk).is_banned is True


def test_members_page_lists_only_listed_active_members(client, group, member, joined, banned):
    hidden = factories.make_user(username="hidden", first_name="Hidden Person")
    Membership.objects.create(group=group, user=hidden, listed=False)
    shown = factories.make_user(username="shown", first_name="Shown Person")
    Membership.objects.create(group=group, user=shown)
    client.force_login(member)

    page = client.get(reverse("members:member_list", kwargs={"slug": group.slug})).content.decode()

    assert "<span>Shown Person</span>" in page
    assert "<span>member</span>" in page
    assert "Hidden Person" not in page
    assert "Bea Banned" not in page
    assert "2 of 3 are." in page


def test_members_page_needs_a_login(client, group):
    response = client.get(reverse("members:member_list", kwargs={"slug": group.slug}))

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_member_chooses_not_to_be_listed(client, group, member, joined):
    client.force_login(member)

    client.post(reverse("members:listed", kwargs={"slug": group.slug}), {})

    assert Membership.objects.get(pk=joined.pk).listed is False
    client.post(reverse("members:listed", kwargs={"slug": group.slug}), {"listed": "1"})
    assert Membership.objects.get(pk=joined.pk).listed is True


def test_unknown_group_is_not_found(client, member):
    client.force_login(member)

    assert client.post("/groups/nope/join/").status_code == 404
    assert client.get("/groups/nope/members/").status_code == 404


@pytest.mark.parametrize("n", [2, 7])
def test_members_page_queries_do_not_grow(client, group, member, n, django_assert_num_queries):
    for _ in range(n):
        Membership.objects.create(group=group, user=factories.make_user())
    client.force_login(member)
    url = reverse("members:member_list", kwargs={"slug": group.slug})

    # session, user, group, page count, the page's rows, member count, own membership,
    # organiser check (owner/staff/organisers), the footer's group
    with django_assert_num_queries(9):
        response = client.get(url)

    assert response.content.decode().count('<li class="flex flex-wrap items-center') == n


@pytest.mark.parametrize("n", [2, 7])
def test_group_page_count_is_one_query(client, group, member, n):
    for _ in range(n):
        Membership.objects.create(group=group, user=factories.make_user())
    client.force_login(member)

    with CaptureQueriesContext(connection) as captured:
        page = client.get(group.get_absolute_url()).content.decode()

    membership_queries = [q["sql"] for q in captured if "members_membership" in q["sql"]]
    assert len(membership_queries) == 2  # the count, and the viewer's own membership
    assert f"data-member-count>{n}</strong>" in page
