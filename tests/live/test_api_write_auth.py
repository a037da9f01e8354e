"""Every Q&A write of the API needs credentials: a personal token, or a session with its CSRF
token. Guards against removing `auth=write_auth` from one of live's write routes (asking, voting,
taking the vote back): without it an anonymous caller is not refused with 401, and a session
without its CSRF token writes. tests/portal/test_route_structure.py checks every API write's
declaration; these ask the routes themselves."""

import json

import pytest
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
from django.test import Client

from live import services
from live.models import Question, QuestionVote
from portal.services import api_token_create

pytestmark = pytest.mark.django_db

ROUTES = ["ask", "vote", "unvote"]


@pytest.fixture
def scene(running_event, member, other_member):
    """A visible question by someone else; for "unvote", `member` has voted on it."""
    question = services.question_create(
        event=running_event, talk=None, author=other_member, text="Is it recorded?"
    )
    return {"event": running_event, "question": question, "member": member}


def _prepare(route: str, scene: dict) -> None:
    if route == "unvote":
        services.question_vote(question=scene["question"], user=scene["member"])


def _call(client: Client, route: str, scene: dict, headers: dict):
    if route == "ask":
        return client.post(
            f"/api/events/{scene['event'].slug}/questions",
            json.dumps({"text": "Where are the slides?"}),
            content_type="application/json",
            headers=headers,
        )
    method = client.post if route == "vote" else client.delete
    return method(f"/api/questions/{scene['question'].pk}/vote", headers=headers)


def _written() -> tuple[list[str], list[int]]:
    return (
        list(Question.objects.order_by("pk").values_list("text", flat=True)),
        list(QuestionVote.objects.order_by("pk").values_list("user_id", flat=True)),
    )


def _with_csrf(client: Client) -> dict:
    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    return {"X-CSRFToken": _mask_cipher_secret(secret)}


@pytest.mark.parametrize("route", ROUTES)
def test_live_api_write_refuses_anonymous_with_401(scene, route):
    client = Client(enforce_csrf_checks=True)
    _prepare(route, scene)
    before = _written()

    response = _call(client, route, scene, _with_csrf(client))

    assert (response.status_code, response.json()["detail"]) == (401, "Unauthorized")
    assert _written() == before


@pytest.mark.parametrize("route", ROUTES)
def test_live_api_write_refuses_a_session_without_csrf_with_403(scene, route):
    client = Client(enforce_csrf_checks=True)
    client.force_login(scene["member"])
    _prepare(route, scene)
    before = _written()

    response = _call(client, route, scene, {})

    assert response.status_code == 403
    assert _written() == before


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("credentials", ["session with CSRF", "token"])
def test_live_api_write_accepts_a_session_with_csrf_or_a_token(scene, route, credentials):
    client = Client(enforce_csrf_checks=True)
    member, question = scene["member"], scene["question"]
    if credentials == "token":
        headers = {"Authorization": f"Bearer {api_token_create(user=member, name='q')[1]}"}
    else:
        client.force_login(member)
        headers = _with_csrf(client)
    _prepare(route, scene)

    response = _call(client, route, scene, headers)

    if route == "ask":
        asked = Question.objects.get(text="Where are the slides?")
        assert (response.status_code, response.json()["id"]) == (201, asked.pk)
        assert (asked.author, asked.event, asked.talk) == (member, scene["event"], None)
    else:
        voted = route == "vote"
        assert (response.status_code, response.json()) == (
            200,
            {"voted": voted, "votes": int(voted)},
        )
        voters = list(QuestionVote.objects.filter(question=question).values_list("user", flat=True))
        assert voters == ([member.pk] if voted else [])
