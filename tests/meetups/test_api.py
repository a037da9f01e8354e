"""The read API: filters, pagination, drafts hidden, responses valid against the OpenAPI doc."""

from datetime import timedelta

import jsonschema
import pytest

from meetups.models import Event
from tests.factories import make_event, make_speaker, make_talk


@pytest.fixture
def openapi(client):
    return client.get("/api/openapi.json").json()


def _assert_matches_schema(openapi: dict, path: str, body) -> None:
    """Validates `body` against the 200 response schema the OpenAPI document declares."""
    schema = openapi["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    resolver_doc = {**schema["schema"], "components": openapi["components"]}
    jsonschema.validate(
        body,
        resolver_doc,
        cls=jsonschema.Draft202012Validator,
        format_checker=jsonschema.FormatChecker(),
    )


@pytest.fixture
def archive(group):
    past = make_event(group=group, title="Past", starts_in=-timedelta(days=30))
    speaker = make_speaker(name="Rui Da Costa", slug="rui-da-costa")
    make_talk(event=past, title="What is Django?", speakers=[speaker], slides_url="https://x.io/s")
    upcoming = make_event(group=group, title="Upcoming", starts_in=timedelta(days=5))
    make_event(group=group, title="Draft", status=Event.Status.DRAFT)
    return past, upcoming, speaker


@pytest.mark.django_db
def test_api_events_filters_upcoming_and_past(client, archive):
    assert [e["title"] for e in client.get("/api/events?when=upcoming").json()["items"]] == [
        "Upcoming"
    ]
    assert [e["title"] for e in client.get("/api/events?when=past").json()["items"]] == ["Past"]
    assert [e["title"] for e in client.get("/api/events").json()["items"]] == ["Upcoming", "Past"]


@pytest.mark.django_db
def test_api_events_rejects_unknown_filter_values(client, archive):
    response = client.get("/api/events?when=someday")

    assert response.status_code == 422
    assert (response.json()["kind"], response.json()["field"]) == ("invalid", "when")


@pytest.mark.django_db
def test_api_events_paginates(client, group):
    for days in range(25):
        make_event(group=group, starts_in=timedelta(days=days + 1))

    first = client.get("/api/events").json()
    second = client.get("/api/events?page=2").json()

    assert first["count"] == 25
    assert len(first["items"]) == 20
    assert len(second["items"]) == 5


@pytest.mark.django_db
def test_api_event_detail_hides_drafts_even_from_organisers(client, group, organiser):
    draft = make_event(group=group, status=Event.Status.DRAFT)
    client.force_login(organiser)

    assert client.get(f"/api/events/{draft.slug}").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "url"),
    [
        ("/api/events", "/api/events"),
        ("/api/events/{slug}", "/api/events/{past}"),
        ("/api/talks", "/api/talks"),
        ("/api/talks/{slug}", "/api/talks/{talk}"),
        ("/api/speakers", "/api/speakers"),
        ("/api/speakers/{slug}", "/api/speakers/{speaker}"),
    ],
)
def test_api_responses_match_the_openapi_schema(client, openapi, archive, path, url):
    past, _upcoming, speaker = archive
    talk = past.talks.get()
    response = client.get(url.format(past=past.slug, talk=talk.slug, speaker=speaker.slug))

    assert response.status_code == 200
    _assert_matches_schema(openapi, path, response.json())


@pytest.mark.django_db
def test_api_event_detail_carries_talks_and_speakers(client, archive):
    past, _upcoming, _speaker = archive

    body = client.get(f"/api/events/{past.slug}").json()

    assert [t["title"] for t in body["talks"]] == ["What is Django?"]
    assert body["talks"][0]["speakers"] == [{"name": "Rui Da Costa", "slug": "rui-da-costa"}]
    assert body["talks"][0]["slides_url"] == "https://x.io/s"


@pytest.mark.django_db
def test_api_speakers_list_only_speakers_of_published_talks(client, group):
    make_talk(event=make_event(group=group), speakers=[make_speaker(name="Shown")])
    draft = make_event(group=group, status=Event.Status.DRAFT)
    make_talk(event=draft, speakers=[make_speaker(name="Hidden")])

    assert [s["name"] for s in client.get("/api/speakers").json()["items"]] == ["Shown"]
