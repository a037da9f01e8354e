"""HEAD answers as GET does, and what is made for a signed-in person is never cached
(portal/middleware.py)."""

import asyncio
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from channels.testing import HttpCommunicator
from django.test import Client

from cfp.models import CallForTalks, Proposal
from portal.asgi_http import ThreadPoolASGIHandler
from portal.services import api_token_create
from rsvp.services import rsvp_create
from tests import factories


@pytest.fixture
def world(db):
    owner = factories.make_user(username="owner")
    speaker_user = factories.make_user(username="speaker")
    group = factories.make_group(slug="g", owner=owner)
    event = factories.make_event(group=group, slug="e", starts_in=timedelta(days=3))
    speaker = factories.make_speaker(slug="s", user=speaker_user)
    factories.make_talk(event=event, slug="t", speakers=[speaker])
    CallForTalks.objects.create(group=group)
    proposal = Proposal.objects.create(
        group=group, submitter=speaker_user, title="A talk", abstract="About it.", length_minutes=20
    )
    rsvp = rsvp_create(event=event, user=speaker_user).rsvp
    return {"owner": owner, "member": speaker_user, "ticket": rsvp.get_ticket_url(),
            "proposal": f"/proposals/{proposal.pk}/"}  # fmt: skip


PUBLIC_PAGES = [
    "/", "/events/past/", "/events/e/", "/events/e/calendar.ics", "/talks/t/", "/speakers/s/",
    "/groups/g/", "/groups/g/calendar.ics", "/groups/g/ideas/", "/events/e/live/",
    "/accounts/login/", "/api/events", "/no/such/page/",
]  # fmt: skip
MEMBER_PAGES = [
    "/my-events/", "ticket", "/accounts/profile/", "/proposals/", "proposal",
    "/speaker-profile/",
]  # fmt: skip
ORGANISER_PAGES = [
    "/organise/", "/organise/g/", "/organise/g/e/", "/groups/g/review/", "/events/e/attendees/",
    "/events/e/attendees.csv", "/events/e/check-in/", "/events/e/live/presenter/",
]  # fmt: skip


def _client(world, who: str | None) -> Client:
    client = Client()
    if who is not None:
        client.force_login(world[who])
    return client


PAGES = [
    *(pytest.param(None, path, id=f"anonymous {path}") for path in PUBLIC_PAGES),
    *(pytest.param("member", path, id=f"member {path}") for path in MEMBER_PAGES),
    *(pytest.param("owner", path, id=f"organiser {path}") for path in ORGANISER_PAGES),
]


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


PER_REQUEST = ("X-Request-ID", "Expires")  # an id, and never_cache's "now", which may tick


def _lasting(headers) -> dict:
    return {name: value for name, value in headers.items() if name not in PER_REQUEST}


def _expires(headers) -> datetime | None:
    value = headers.get("Expires")
    return None if value is None else parsedate_to_datetime(value)


@pytest.mark.parametrize(("who", "path"), PAGES)
def test_head_answers_as_get_without_the_body(world, who, path):
    client = _client(world, who)
    path = world.get(path, path)

    get = client.get(path)
    head = client.head(path)

    assert head.status_code == get.status_code
    assert head.status_code in (200, 302, 404)  # never 405, as for require_GET views before
    assert _lasting(head.headers) == _lasting(get.headers)
    if _expires(get.headers) is None:
        assert _expires(head.headers) is None
    else:
        assert abs(_expires(head.headers) - _expires(get.headers)) <= timedelta(seconds=2)
    assert _body(head) == b""


def test_head_through_the_asgi_handler_sends_the_gets_headers_and_no_body(db):
    def request(method):
        app = ThreadPoolASGIHandler(threads=1)
        comm = HttpCommunicator(app, method, "/events/past/", headers=[(b"host", b"testserver")])
        return asyncio.run(comm.get_response(timeout=10))

    get, head = request("GET"), request("HEAD")

    assert head["status"] == 200
    assert head["body"] == b""
    assert dict(head["headers"])[b"Content-Length"] == str(len(get["body"])).encode()


@pytest.mark.parametrize(("who", "path"), [p for p in PAGES if p.values[0] is not None])
def test_pages_for_a_signed_in_person_are_private_and_not_stored(world, who, path):
    response = _client(world, who).get(world.get(path, path))

    assert response["Cache-Control"] == "private, no-store"


def test_an_anonymous_public_event_page_may_be_cached(world):
    response = Client().get("/events/e/")

    assert response.status_code == 200
    assert response.get("Cache-Control") is None


def test_the_same_page_signed_in_is_private(world):
    response = _client(world, "member").get("/events/e/")

    assert response["Cache-Control"] == "private, no-store"


def test_a_personal_api_token_counts_as_signed_in(world):
    _token, raw = api_token_create(user=world["member"], name="script")

    response = Client().get("/api/me/rsvps", headers={"Authorization": f"Bearer {raw}"})

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_a_views_own_cache_control_is_kept(world):
    response = _client(world, "member").post("/accounts/tokens/", {"name": "laptop"})

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
