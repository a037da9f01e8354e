"""Every organiser URL, for every kind of visitor, with data present that could leak."""

import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from meetups.models import Event
from organise.models import AttendeeMessage, OrganiserInvitation
from portal.services import api_token_create
from tests import factories
from tests.organise.data import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Rate-limit counters live in the cache, keyed by user id, and ids repeat between tests.
    cache.clear()


G, E = "sydjango", "november"
EV = {"group": G, "event": E}

# (method, url name, kwargs, POST data, status for an organiser) for every organiser URL.
URLS = [
    ("get", "organise:group", {"group": G}, None, 200),
    ("get", "organise:event_create", {"group": G}, None, 200),
    ("post", "organise:event_create", {"group": G}, {"title": ""}, 422),
    ("get", "organise:organisers", {"group": G}, None, 200),
    ("post", "organise:organiser_invite", {"group": G}, {"email": "new@example.com"}, 302),
    # The co-organiser removing themselves leaves the team (and goes home): 302 too.
    ("post", "organise:organiser_remove", {"group": G, "user_id": "CO"}, {}, 302),
    ("post", "organise:invitation_revoke", {"group": G, "pk": "INV"}, {}, 302),
    ("get", "organise:dashboard", EV, None, 200),
    ("get", "organise:event_edit", EV, None, 200),
    ("post", "organise:event_edit", EV, {"title": ""}, 422),
    ("post", "organise:event_publish", {"group": G, "event": "secret-draft"}, {}, 302),
    ("get", "organise:event_cancel", EV, None, 200),
    ("post", "organise:event_cancel", EV, {"confirm": "on"}, 302),
    ("get", "organise:event_duplicate", EV, None, 200),
    ("post", "organise:event_duplicate", EV, {"starts_at": "2099-01-01T18:00"}, 302),
    *[("get", "organise:panel", {**EV, "name": n}, None, 200)
      for n in ("rsvps", "door", "qa", "lineup", "actions", "summary")],
    ("post", "organise:action_rsvps", EV, {"state": "closed"}, 302),
    ("post", "organise:action_live", EV, {"state": "off"}, 302),
    ("post", "organise:action_current_talk", EV, {"talk": ""}, 302),
    ("get", "organise:message", EV, None, 200),
    ("post", "organise:message", EV, {"step": "send", "audience": "going", "subject": "Hi",
                                      "body": "Pizza"}, 302),
    *[("get", "organise:export", {**EV, "what": w}, None, 200)
      for w in ("attendees", "questions", "votes")],
]  # fmt: skip

# The same rule on the API: (method, path under the event, JSON body, status for an organiser).
API = "/api/organise/sydjango/events/november"
API_CALLS = [
    ("get", "/summary", None, 200),
    ("post", "/rsvp-window", {"open": False}, 200),
    ("post", "/messages", {"audience": "going", "subject": "Hi", "body": "Pizza"}, 201),
    ("post", "/cancel", {"reason": "Flooded"}, 200),
]

LEAKS = ("Leaky question", "member@example.com", "Secret proposal", "Secret draft")


def _state(w) -> tuple:
    """Everything the POSTs above could change."""
    w.event.refresh_from_db()
    return (
        w.event.status,
        w.event.title,
        Event.objects.count(),
        Event.objects.get(slug="secret-draft").status,
        sorted(w.group.organisers.values_list("username", flat=True)),
        OrganiserInvitation.objects.filter(revoked_at__isnull=True).count(),
        AttendeeMessage.objects.count(),
        getattr(getattr(w.event, "rsvp_settings", None), "closes_at", None),
    )


def _url(w, name, kwargs):
    kwargs = dict(kwargs)
    if kwargs.get("user_id") == "CO":
        kwargs["user_id"] = w.co_organiser.pk
    if kwargs.get("pk") == "INV":
        kwargs["pk"] = OrganiserInvitation.objects.create(group=w.group, email="x@example.com").pk
    return reverse(name, kwargs=kwargs)


def _who(w, role):
    return {
        "anonymous": None,
        "member": w.member,
        "speaker": w.speaker_user,
        "other_organiser": w.other_organiser,
        "co_organiser": w.co_organiser,
        "owner": w.owner,
        "staff": w.staff,
    }[role]


def _content(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize(("method", "name", "kwargs", "data", "served"), URLS)
@pytest.mark.parametrize("role", ["anonymous", "member", "speaker", "other_organiser"])
def test_organiser_url_refuses_non_organisers(client, role, method, name, kwargs, data, served):
    w = build_world()
    url = _url(w, name, kwargs)
    before = _state(w)
    if (user := _who(w, role)) is not None:
        client.force_login(user)
    response = getattr(client, method)(url, data) if method == "post" else client.get(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == 404
        body = _content(response)
        assert [leak for leak in LEAKS if leak in body] == []
    assert _state(w) == before


@pytest.mark.parametrize(("method", "name", "kwargs", "data", "served"), URLS)
@pytest.mark.parametrize("role", ["co_organiser", "owner", "staff"])
def test_organiser_url_serves_organisers(client, role, method, name, kwargs, data, served):
    w = build_world()
    client.force_login(_who(w, role))
    url = _url(w, name, kwargs)
    response = getattr(client, method)(url, data) if method == "post" else client.get(url)
    assert response.status_code == served


def _api_call(client, w, role, method, path, data):
    headers = {}
    if (user := _who(w, role)) is not None:
        _, raw = api_token_create(user=user, name="matrix")
        headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    if method == "get":
        return client.get(API + path, **headers)
    return client.post(API + path, json.dumps(data), content_type="application/json", **headers)


@pytest.mark.parametrize(("method", "path", "data", "served"), API_CALLS)
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("member", 404),
        ("speaker", 404),
        ("other_organiser", 404),
        ("co_organiser", None),
        ("owner", None),
        ("staff", None),
    ],
)
def test_organise_api_applies_the_same_rule(
    client, django_capture_on_commit_callbacks, role, status, method, path, data, served
):
    """Organisers of the group (owner, co-organisers, staff) and nobody else, as on the pages:
    strangers are told the event does not exist."""
    w = build_world()
    before = _state(w)
    with django_capture_on_commit_callbacks(execute=True):
        response = _api_call(client, w, role, method, path, data)
    assert response.status_code == (status or served)
    if status == 404:
        assert response.json() == {"detail": "No group found.", "kind": "not_found", "field": None}
    if status is not None:
        assert _state(w) == before


@pytest.mark.parametrize(
    ("role", "get_status", "post_status"),
    [
        ("anonymous", 302, 302),
        ("member", 200, 403),  # signed in with another address: not theirs to accept
        ("owner", 200, 403),
        ("invitee", 200, 302),
    ],
)
def test_invitation_is_accepted_only_by_the_invited_address(client, role, get_status, post_status):
    w = build_world()
    invitee = factories.make_user(username="newbie", email="newbie@example.com")
    invitation = OrganiserInvitation.objects.create(group=w.group, email=invitee.email)
    url = reverse("organise:invitation_accept", kwargs={"token": invitation.token})
    user = invitee if role == "invitee" else _who(w, role)
    if user is not None:
        client.force_login(user)
    statuses = (client.get(url).status_code, client.post(url).status_code)
    organisers = set(w.group.organisers.values_list("username", flat=True))
    assert statuses == (get_status, post_status)
    assert organisers == ({"coorg", "newbie"} if role == "invitee" else {"coorg"})


@pytest.mark.parametrize("role", ["co_organiser", "owner", "staff"])
def test_dashboard_shows_event_data_to_organisers(client, role):
    w = build_world()
    client.force_login(_who(w, role))
    body = client.get(reverse("organise:dashboard", kwargs=EV)).content.decode()
    assert [leak in body for leak in ("Leaky question", "Secret proposal")] == [True, True]


@pytest.mark.parametrize(
    ("group", "event"), [("sydjango", "other-meetup"), ("other", "other-meetup"), ("other", E)]
)
@pytest.mark.parametrize("path", ["", "edit/", "panels/rsvps/", "export/attendees.csv"])
def test_other_groups_event_answers_404_to_our_organiser(client, group, event, path):
    w = build_world()
    client.force_login(w.co_organiser)
    response = client.get(f"/organise/{group}/{event}/{path}")
    assert response.status_code == 404


def test_other_groups_event_cannot_be_cancelled_through_our_group(client):
    w = build_world()
    client.force_login(w.owner)
    response = client.post("/organise/sydjango/other-meetup/cancel/", {"confirm": "on"})
    w.other_event.refresh_from_db()
    assert (response.status_code, w.other_event.status) == (404, "published")


def test_organise_link_shows_only_to_organisers_on_the_event_page(client):
    w = build_world()
    dashboard = reverse("organise:dashboard", kwargs=EV)
    seen = {}
    for role in ("member", "other_organiser", "co_organiser", "owner"):
        client.force_login(_who(w, role))
        seen[role] = dashboard in client.get(w.event.get_absolute_url()).content.decode()
        client.logout()
    assert seen == {
        "member": False,
        "other_organiser": False,
        "co_organiser": True,
        "owner": True,
    }


def test_nav_link_shows_only_to_organisers(client):
    w = build_world()
    seen = {}
    for role in ("member", "owner"):
        client.force_login(_who(w, role))
        seen[role] = 'href="/organise/">Organise</a>' in client.get("/").content.decode()
        client.logout()
    assert seen == {"member": False, "owner": True}


@pytest.mark.parametrize(
    ("role", "status", "location"),
    [
        ("anonymous", 302, "/accounts/login/?next=%2Forganise%2F"),
        ("member", 404, None),
        ("speaker", 404, None),
        ("other_organiser", 302, "/organise/other/"),
        ("co_organiser", 302, "/organise/sydjango/"),
        ("owner", 302, "/organise/sydjango/"),
        ("staff", 200, None),
    ],
)
def test_organise_index_sends_each_organiser_to_their_own_groups(client, role, status, location):
    w = build_world()
    if (user := _who(w, role)) is not None:
        client.force_login(user)
    response = client.get(reverse("organise:index"))
    assert (response.status_code, response.get("Location")) == (status, location)


def test_anonymous_htmx_request_is_sent_to_log_in_by_hx_redirect(client):
    build_world()
    response = client.post(
        reverse("organise:action_rsvps", kwargs=EV), {"state": "closed"}, HTTP_HX_REQUEST="true"
    )
    assert (response.status_code, response["HX-Redirect"]) == (
        200,
        "/accounts/login/?next=%2Forganise%2Fsydjango%2Fnovember%2Factions%2Frsvps%2F",
    )
