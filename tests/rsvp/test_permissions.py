"""The RSVP rules (`rsvp.rules`), each asked through every route that uses it: the page, its
htmx variant and the API answer the same person with the same status, and a refusal writes
nothing."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from meetups.models import Event
from portal.services import api_token_create
from rsvp import services
from rsvp.models import Rsvp
from rsvp.rules import can_check_in, can_rsvp
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
PEOPLE = ("anonymous", "member", "other_organiser", "organiser")


@pytest.fixture
def cast(group, organiser, member):
    other = factories.make_user(username="other-organiser")
    factories.make_group().organisers.add(other)
    return {"anonymous": None, "member": member, "other_organiser": other, "organiser": organiser}


def page_client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_headers(user) -> dict:
    if user is None:
        return {}
    _token, raw = api_token_create(user=user, name="matrix")
    return {"Authorization": f"Bearer {raw}"}


def door_answers(event, rsvp, user) -> dict[str, int]:
    """Every route of the door (the check-in rule), as `user`."""
    client = page_client(user)
    door = {"slug": event.slug}
    pages = {
        "check_in": client.get(reverse("rsvp:check_in", kwargs=door)),
        "check_in_toggle": client.post(
            reverse("rsvp:check_in_toggle", kwargs={**door, "pk": rsvp.pk})
        ),
        "check_in_toggle htmx": client.post(
            reverse("rsvp:check_in_toggle", kwargs={**door, "pk": rsvp.pk}), headers=HTMX
        ),
        "ticket link": client.get(rsvp.get_check_in_url()),
        "ticket link tap": client.post(rsvp.get_check_in_url(), {"undo": "1"}),
        "attendees": client.get(reverse("rsvp:attendees", kwargs=door)),
        "attendees_csv": client.get(reverse("rsvp:attendees_csv", kwargs=door)),
    }
    api = Client()
    headers = api_headers(user)
    check_ins = f"/api/events/{event.slug}/check-ins"
    apis = {
        "API attendees": api.get(f"/api/events/{event.slug}/attendees", headers=headers),
        "API check-in": api.post(
            check_ins, {"rsvp_id": rsvp.pk}, content_type="application/json", headers=headers
        ),
        "API check-in undo": api.delete(f"{check_ins}/{rsvp.pk}", headers=headers),
    }
    return {name: r.status_code for name, r in (pages | apis).items()}


DOOR_REFUSED = {
    "check_in": 404, "check_in_toggle": 404, "check_in_toggle htmx": 404, "ticket link": 404,
    "ticket link tap": 404, "attendees": 404, "attendees_csv": 404, "API attendees": 404,
    "API check-in": 404, "API check-in undo": 404,
}  # fmt: skip
DOOR_ANSWERS = {
    # No session and no token: the API asks who you are first.
    "anonymous": {**DOOR_REFUSED, "API attendees": 401, "API check-in": 401,
                  "API check-in undo": 401},
    "member": DOOR_REFUSED,
    "other_organiser": DOOR_REFUSED,
    # Toggled in, toggled out again, tapped "undo" (nothing to undo), in, out.
    "organiser": {
        "check_in": 200, "check_in_toggle": 302, "check_in_toggle htmx": 200, "ticket link": 200,
        "ticket link tap": 302, "attendees": 200, "attendees_csv": 200, "API attendees": 200,
        "API check-in": 200, "API check-in undo": 200,
    },
}  # fmt: skip


@pytest.mark.parametrize("who", PEOPLE)
def test_check_in_rule_answers_the_same_on_every_route(event, cast, who):
    rsvp = services.rsvp_create(event=event, user=factories.make_user(username="guest")).rsvp
    user = cast[who]

    answers = door_answers(event, rsvp, user)

    assert can_check_in(user or AnonymousUser(), event) is (who == "organiser")
    assert answers == DOOR_ANSWERS[who]
    rsvp.refresh_from_db()
    assert (rsvp.checked_in_at, rsvp.checked_in_by) == (None, None)


def rsvp_answers(event, user) -> dict[str, int]:
    """Every route that RSVPs (the RSVP rule), as `user`."""
    client = page_client(user)
    create = reverse("rsvp:create", kwargs={"slug": event.slug})
    pages = {
        "create": client.post(create, {"guests": "0"}),
        "create htmx": client.post(create, {"guests": "0"}, headers=HTMX),
        "panel htmx": client.get(reverse("rsvp:panel", kwargs={"slug": event.slug}), headers=HTMX),
    }
    api = Client()
    headers = api_headers(user)
    apis = {
        "API rsvp": api.post(
            f"/api/events/{event.slug}/rsvp",
            {"guests": 0},
            content_type="application/json",
            headers=headers,
        ),
        "API attendance": api.get(f"/api/events/{event.slug}/attendance", headers=headers),
    }
    return {name: r.status_code for name, r in (pages | apis).items()}


@pytest.mark.parametrize(
    ("who", "answers"),
    [
        # Log in first (the page sends you to the login page; the API asks who you are).
        ("anonymous", {"create": 302, "create htmx": 200, "panel htmx": 200, "API rsvp": 401,
                       "API attendance": 200}),
        ("member", {"create": 302, "create htmx": 200, "panel htmx": 200, "API rsvp": 200,
                    "API attendance": 200}),
    ],
)  # fmt: skip
def test_rsvp_rule_on_a_published_event(event, cast, who, answers):
    user = cast[who]

    assert rsvp_answers(event, user) == answers
    assert can_rsvp(user or AnonymousUser(), event) is (who != "anonymous")
    expected = [] if who == "anonymous" else [(user.username, "going")]
    assert list(Rsvp.objects.values_list("user__username", "status")) == expected


@pytest.mark.parametrize(
    ("who", "answers"),
    [
        # A draft exists only for its group's organisers (meetups.rules.can_view_event)...
        ("anonymous", {"create": 404, "create htmx": 404, "panel htmx": 404, "API rsvp": 401,
                       "API attendance": 404}),
        ("member", {"create": 404, "create htmx": 404, "panel htmx": 404, "API rsvp": 404,
                    "API attendance": 404}),
        ("other_organiser", {"create": 404, "create htmx": 404, "panel htmx": 404,
                             "API rsvp": 404, "API attendance": 404}),
        # ...who see it, and are told RSVPs open once it is published. (The attendance is a
        # public read that asks for no token, so a draft's stays hidden from one.)
        ("organiser", {"create": 409, "create htmx": 409, "panel htmx": 200, "API rsvp": 409,
                       "API attendance": 404}),
    ],
)  # fmt: skip
def test_rsvp_rule_on_a_draft(group, cast, who, answers):
    draft = factories.make_event(group=group, status=Event.Status.DRAFT)
    user = cast[who]

    assert rsvp_answers(draft, user) == answers
    assert can_rsvp(user or AnonymousUser(), draft) is (who == "organiser")
    assert Rsvp.objects.count() == 0


def test_a_draft_refusal_tells_the_organiser_why(group, organiser):
    draft = factories.make_event(group=group, status=Event.Status.DRAFT)
    client = page_client(organiser)

    response = client.post(reverse("rsvp:create", kwargs={"slug": draft.slug}), {"guests": "0"})
    api = Client().post(
        f"/api/events/{draft.slug}/rsvp",
        {"guests": 0},
        content_type="application/json",
        headers=api_headers(organiser),
    )

    assert "This event is not published yet." in response.content.decode()
    assert api.json() == {
        "detail": "This event is not published yet.",
        "kind": "conflict",
        "field": None,
    }
    signed_in = page_client(organiser).get(f"/api/events/{draft.slug}/attendance")
    assert (signed_in.status_code, signed_in.json()["going"]) == (200, 0)
