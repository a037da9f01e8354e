"""The feedback API: same rules, refusals, rate budget and auth (token or session + CSRF)."""

from datetime import timedelta

import pytest
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
from django.test import Client

from feedback.models import TalkFeedback
from portal.services import api_token_create
from tests import factories

from .conftest import rsvp

MINE = "/api/talks/the-talk/feedback/mine"
ALL = "/api/talks/the-talk/feedback"


def _token_client(user) -> Client:
    _token, raw = api_token_create(user=user, name="script")
    return Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {raw}"})


def _put(client: Client, body: dict):
    return client.put(MINE, body, content_type="application/json")


def test_put_creates_201_then_updates_200(world):
    client = _token_client(world.checked_in)
    first = _put(client, {"rating": 4, "comment": "Nice."})
    assert first.status_code == 201
    body = first.json()
    assert (body["rating"], body["comment"], body["can_give"], body["reason"]) == (
        4,
        "Nice.",
        True,
        None,
    )
    second = _put(client, {"rating": 2})
    assert (second.status_code, second.json()["rating"], second.json()["comment"]) == (200, 2, "")
    assert TalkFeedback.objects.get().rating == 2


def test_get_mine_before_and_after(world):
    client = _token_client(world.checked_in)
    assert client.get(MINE).json()["rating"] is None
    _put(client, {"rating": 5})
    assert client.get(MINE).json()["rating"] == 5


def test_get_mine_says_why_not(world):
    body = _token_client(world.stranger).get(MINE).json()
    assert (body["can_give"], body["reason"]) == (
        False,
        "Only people who were at the event can rate its talks: checked in at the door, or "
        "going where nobody was checked in.",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [({"rating": 0}, "rating"), ({"rating": 6}, "rating"), ({}, "rating"),
     ({"rating": 3, "comment": "x" * 1001}, "comment")],
)  # fmt: skip
def test_put_invalid_is_422_with_the_field(world, body, field):
    response = _put(_token_client(world.checked_in), body)
    assert (response.status_code, response.json()["kind"], response.json()["field"]) == (
        422,
        "invalid",
        field,
    )
    assert TalkFeedback.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [("stranger", 403), ("waitlisted", 403), ("cancelled", 403), ("going", 403),
     ("speaker", 403), ("organiser", 403)],
)  # fmt: skip
def test_put_by_who_may_not_rate_is_403(world, who, status):
    response = _put(_token_client(getattr(world, who)), {"rating": 5})
    assert (response.status_code, response.json()["kind"]) == (status, "forbidden")
    assert TalkFeedback.objects.count() == 0


def test_put_after_the_window_is_409(world, time_machine):
    client = _token_client(world.checked_in)
    _put(client, {"rating": 5})
    time_machine.move_to(world.event.ends_at + timedelta(days=8))
    response = _put(client, {"rating": 1})
    assert (response.status_code, response.json()["kind"]) == (409, "conflict")
    assert TalkFeedback.objects.get().rating == 5


def test_put_unknown_talk_is_404(world):
    response = _token_client(world.checked_in).put(
        "/api/talks/nope/feedback/mine", {"rating": 5}, content_type="application/json"
    )
    assert response.status_code == 404


def test_put_needs_auth_and_csrf(world):
    assert _put(Client(), {"rating": 5}).status_code == 401
    session = Client(enforce_csrf_checks=True)
    session.force_login(world.checked_in)
    assert _put(session, {"rating": 5}).status_code == 403
    secret = _get_new_csrf_string()
    session.cookies["csrftoken"] = secret
    response = session.put(
        MINE,
        {"rating": 5},
        content_type="application/json",
        headers={"X-CSRFToken": _mask_cipher_secret(secret)},
    )
    assert response.status_code == 201


def test_put_is_rate_limited_with_the_page(world, settings, stopped_clock):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "feedback.save": "2/m"}
    client = _token_client(world.checked_in)
    page = Client()
    page.force_login(world.checked_in)
    assert page.post("/talks/the-talk/feedback/", {"rating": "3"}).status_code == 302
    assert _put(client, {"rating": 4}).status_code == 200
    response = _put(client, {"rating": 1})
    assert (response.status_code, response.json()["kind"]) == (429, "rate_limited")
    assert TalkFeedback.objects.get().rating == 4


def _two_ratings(world):
    TalkFeedback.objects.create(talk=world.talk, user=world.checked_in, rating=2, comment="Hmm")
    extra = factories.make_user(username="ed", first_name="Ed")
    rsvp(world.event, extra, checked_in=True)
    TalkFeedback.objects.create(talk=world.talk, user=extra, rating=5)


def test_talk_feedback_for_the_speaker_has_no_names(world):
    _two_ratings(world)
    body = _token_client(world.speaker).get(ALL).json()
    assert (body["count"], body["average"], body["distribution"]) == (2, 3.5, {"2": 1, "5": 1})
    assert [(e["rating"], e["comment"], e["rater"]) for e in body["entries"]] == [
        (5, "", None),
        (2, "Hmm", None),
    ]


def test_talk_feedback_for_the_organiser_has_names(world):
    _two_ratings(world)
    body = _token_client(world.organiser).get(ALL).json()
    assert [e["rater"] for e in body["entries"]] == ["Ed", "Carla"]


@pytest.mark.parametrize("who", ["stranger", "checked_in", "other_speaker"])
def test_talk_feedback_for_anyone_else_is_404(world, who):
    _two_ratings(world)
    response = _token_client(getattr(world, who)).get(ALL)
    assert (response.status_code, response.json()["kind"]) == (404, "not_found")
    assert "Hmm" not in response.content.decode()


def test_reads_need_a_signed_in_person(world):
    assert Client().get(ALL).status_code == 401
    assert Client().get(MINE).status_code == 401
