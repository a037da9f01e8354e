"""The members API: the same services, rules, refusals and budgets as the pages; a permission
matrix over its routes."""

import json

import pytest
from django.test import Client

from members.models import EventPolicy, GroupPolicy, Membership
from portal.services import api_token_create
from tests import factories

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    _token, raw = api_token_create(user=user, name="test")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def api():
    return Client(enforce_csrf_checks=True)


def _call(api, method, path, user=None, body=None):
    headers = bearer(user) if user is not None else {}
    data = json.dumps(body) if body is not None else None
    kwargs = {"content_type": "application/json", "headers": headers}
    return (
        getattr(api, method)(f"/api{path}", data, **kwargs)
        if data
        else getattr(api, method)(f"/api{path}", **kwargs)
    )


def test_join_then_again_then_my_membership_then_leave(api, group, member):
    path = f"/groups/{group.slug}/membership"

    first = _call(api, "post", path, member)
    again = _call(api, "post", path, member)
    mine = _call(api, "get", path, member)

    assert (first.status_code, again.status_code, mine.status_code) == (201, 200, 200)
    body = mine.json()
    assert (body["group"], body["state"], body["listed"], body["banned_reason"]) == (
        group.slug,
        "active",
        True,
        None,
    )
    assert _call(api, "patch", path, member, {"listed": False}).json()["listed"] is False
    assert _call(api, "delete", path, member).status_code == 204
    assert _call(api, "get", path, member).status_code == 404


def test_banned_join_and_leave_answer_403_with_the_reason(api, group, banned):
    path = f"/groups/{group.slug}/membership"
    expected = {
        "detail": f"You have been banned from {group.name} by its organisers: Spam in the Q&A",
        "kind": "forbidden",
        "field": None,
    }

    join, leave = _call(api, "post", path, banned.user), _call(api, "delete", path, banned.user)
    mine = _call(api, "get", path, banned.user).json()

    assert (join.status_code, join.json()) == (403, expected)
    assert (leave.status_code, leave.json()) == (403, expected)
    assert (mine["state"], mine["banned_reason"]) == ("banned", "Spam in the Q&A")


def test_member_list_shows_listed_names_only(api, group, member, joined, banned):
    Membership.objects.create(
        group=group, user=factories.make_user(first_name="Hidden Person"), listed=False
    )

    body = _call(api, "get", f"/groups/{group.slug}/members", member).json()

    assert [item["name"] for item in body["items"]] == ["member"]
    assert set(body["items"][0]) == {"id", "name", "joined_at"}
    assert body["count"] == 1


def test_everyone_list_is_for_organisers(api, group, organiser, member, joined, banned):
    path = f"/groups/{group.slug}/members/all"

    assert _call(api, "get", path, member).status_code == 404
    body = _call(api, "get", path, organiser).json()

    assert [(i["username"], i["state"]) for i in body["items"]] == [
        ("banned", "banned"),
        ("member", "active"),
    ]


def test_ban_unban_remove_by_api(api, group, organiser, joined):
    base = f"/groups/{group.slug}/members/{joined.pk}"

    ban = _call(api, "post", base + "/ban", organiser, {"reason": "Spam"})
    assert (ban.status_code, ban.json()["state"], ban.json()["banned_reason"]) == (
        200,
        "banned",
        "Spam",
    )
    assert _call(api, "delete", base, organiser).status_code == 409
    assert _call(api, "delete", base + "/ban", organiser).json()["state"] == "active"
    assert _call(api, "delete", base, organiser).status_code == 204
    assert Membership.objects.count() == 0


def test_ban_reason_too_long_is_422(api, group, organiser, joined):
    response = _call(
        api,
        "post",
        f"/groups/{group.slug}/members/{joined.pk}/ban",
        organiser,
        {"reason": "x" * 301},
    )

    assert response.status_code == 422
    assert Membership.objects.get(pk=joined.pk).state == "active"


def test_policies_get_and_set(api, group, organiser, event):
    group_path, event_path = f"/groups/{group.slug}/policy", f"/events/{event.slug}/policy"

    assert _call(api, "get", group_path, organiser).json() == {
        "rsvp_audience": "anyone",
        "qa_audience": "",
    }
    put = _call(api, "put", group_path, organiser, {"rsvp_audience": "members"})
    assert put.json() == {"rsvp_audience": "members", "qa_audience": ""}
    assert _call(api, "get", event_path, organiser).json() == {
        "rsvp_audience": "",
        "qa_audience": "",
        "effective_rsvp_audience": "members",
        "effective_qa_audience": "members",
    }
    put = _call(api, "put", event_path, organiser, {"rsvp_audience": "", "qa_audience": "rsvpd"})
    assert put.json()["effective_qa_audience"] == "rsvpd"
    assert EventPolicy.objects.get(event=event).qa_audience == "rsvpd"


def test_policy_unknown_choice_is_422_with_the_field(api, group, organiser):
    response = _call(
        api, "put", f"/groups/{group.slug}/policy", organiser, {"rsvp_audience": "all"}
    )

    assert response.status_code == 422
    assert response.json()["field"] == "rsvp_audience"
    assert GroupPolicy.objects.count() == 0


# --- the permission matrix --------------------------------------------------------------------

ROLES = ["anonymous", "non_member", "member", "banned", "organiser", "other_organiser"]


@pytest.fixture
def people(group, organiser, member, joined, banned):
    other = factories.make_user(username="other-org")
    factories.make_group(owner=other)
    return {
        "anonymous": None,
        "non_member": factories.make_user(username="stranger"),
        "member": member,
        "banned": banned.user,
        "organiser": organiser,
        "other_organiser": other,
    }


def _organiser_routes(group, event, joined, banned):
    g = f"/groups/{group.slug}"
    return {
        "members_all": ("get", g + "/members/all", None),
        "group_policy_get": ("get", g + "/policy", None),
        "group_policy_set": ("put", g + "/policy", {"rsvp_audience": "members"}),
        "event_policy_get": ("get", f"/events/{event.slug}/policy", None),
        "event_policy_set": ("put", f"/events/{event.slug}/policy", {"rsvp_audience": ""}),
        "ban": ("post", f"{g}/members/{joined.pk}/ban", {"reason": "x"}),
        "unban": ("delete", f"{g}/members/{banned.pk}/ban", None),
    }


@pytest.mark.parametrize("role", ROLES)
def test_organiser_routes_matrix(api, group, event, joined, banned, people, role):
    routes = _organiser_routes(group, event, joined, banned)
    codes = {
        name: _call(api, method, path, people[role], body).status_code
        for name, (method, path, body) in routes.items()
    }

    expected = {
        "anonymous": 401,
        "non_member": 404,
        "member": 404,
        "banned": 404,
        "other_organiser": 404,
    }.get(role)
    if role == "organiser":
        assert codes == dict.fromkeys(routes, 200)
    elif role == "anonymous":  # a write without a session's CSRF token is refused first
        assert codes == {n: 401 if m == "get" else 403 for n, (m, _p, _b) in routes.items()}
    else:
        assert codes == dict.fromkeys(routes, expected)
        assert sorted(Membership.objects.values_list("state", flat=True)) == ["active", "banned"]
        assert (GroupPolicy.objects.count(), EventPolicy.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("role", "join", "listed_list"),
    [
        ("anonymous", 403, 401),  # no token, no session: the CSRF check refuses the write
        ("non_member", 201, 200),
        ("member", 200, 200),
        ("banned", 403, 200),
        ("organiser", 201, 200),
        ("other_organiser", 201, 200),
    ],
)
def test_member_routes_matrix(api, group, people, role, join, listed_list):
    g = f"/groups/{group.slug}"

    got = (
        _call(api, "post", g + "/membership", people[role]).status_code,
        _call(api, "get", g + "/members", people[role]).status_code,
    )

    assert got == (join, listed_list)


def test_writes_need_csrf_with_a_session(api, group, member):
    api.force_login(member)

    response = api.post(f"/api/groups/{group.slug}/membership")

    assert response.status_code == 403
    assert Membership.objects.count() == 0
