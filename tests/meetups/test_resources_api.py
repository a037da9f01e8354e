"""The API of a talk's slides and links: the same rules, services and refusals as the page."""

from pathlib import Path

import pytest

from meetups import services
from meetups.models import TalkResource
from portal.services import api_token_create
from tests.meetups.resource_helpers import TINY_PDF, pdf_upload, talk_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def _bearer(user) -> dict:
    return {"Authorization": f"Bearer {api_token_create(user=user, name='script')[1]}"}


def test_api_lists_a_published_talks_resources_to_anyone(world, client):
    link = services.talk_link_add(
        user=world["speaker"], talk=world["talk"], kind="video",
        url="https://www.youtube.com/watch?v=jeJmQazH3jA", start="95",
    )  # fmt: skip
    pdf = services.talk_slides_upload(
        user=world["speaker"], talk=world["talk"], upload=pdf_upload()
    )

    response = client.get("/api/talks/the-talk/resources")

    assert response.status_code == 200
    assert [
        (r["id"], r["kind"], r["href"], r["start_seconds"], r["file_name"], r["file_size"])
        for r in response.json()
    ] == [
        (link.pk, "video", "https://www.youtube.com/watch?v=jeJmQazH3jA&t=95s", 95, "", None),
        (pdf.pk, "slides", f"/talks/the-talk/resources/{pdf.pk}/download/", None,
         "My slides.pdf", len(TINY_PDF)),
    ]  # fmt: skip


def test_api_list_of_a_draft_talk_is_not_found(client):
    world = talk_world(status="draft")
    services.talk_link_add(
        user=world["organiser"], talk=world["talk"], kind="slides", url="https://e.org/s"
    )
    response = client.get("/api/talks/the-talk/resources")
    assert (response.status_code, response.json()["kind"]) == (404, "not_found")


def test_api_adds_a_link_for_a_speaker(world, client):
    response = client.post(
        "/api/talks/the-talk/resources/links",
        {"kind": "source", "url": "https://github.com/x/y", "title": "Code"},
        content_type="application/json",
        headers=_bearer(world["speaker"]),
    )
    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["url"]) == ("source", "https://github.com/x/y")
    assert TalkResource.objects.get().uploaded_by == world["speaker"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "slides", "url": "javascript:alert(1)"}, "url"),
        ({"kind": "slides", "url": "https://e.org", "start": "10"}, "start"),
        ({"kind": "video", "url": "https://e.org", "start": "99:99"}, "start"),
        ({"kind": "poster", "url": "https://e.org"}, "kind"),
    ],
)
def test_api_refuses_bad_links_with_the_one_error_body(world, client, body, field):
    response = client.post(
        "/api/talks/the-talk/resources/links", body, content_type="application/json",
        headers=_bearer(world["speaker"]),
    )  # fmt: skip
    assert response.status_code == 422
    assert (response.json()["kind"], response.json()["field"]) == ("invalid", field)
    assert TalkResource.objects.count() == 0


def test_api_uploads_a_pdf_as_multipart(world, client, settings):
    response = client.post(
        "/api/slides/the-talk",
        {"file": pdf_upload("deck.pdf"), "title": "Deck"},
        headers=_bearer(world["organiser"]),
    )
    assert response.status_code == 201
    assert (response.json()["file_name"], response.json()["title"]) == ("deck.pdf", "Deck")
    stored = TalkResource.objects.get().file.name
    assert Path(settings.MEDIA_ROOT, stored).read_bytes() == TINY_PDF


def test_api_refuses_a_file_that_is_not_a_pdf(world, client):
    response = client.post(
        "/api/slides/the-talk",
        {"file": pdf_upload("deck.pdf", b"PK\x03\x04" + b"\0" * 100)},
        headers=_bearer(world["speaker"]),
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": "The file is not a PDF: export your slides as PDF.",
        "kind": "invalid",
        "field": "file",
    }


def test_api_deletes_a_resource_and_its_file(
    world, client, settings, django_capture_on_commit_callbacks
):
    pdf = services.talk_slides_upload(
        user=world["speaker"], talk=world["talk"], upload=pdf_upload()
    )
    path = Path(settings.MEDIA_ROOT, pdf.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(
            f"/api/talks/the-talk/resources/{pdf.pk}", headers=_bearer(world["speaker"])
        )
    assert response.status_code == 204
    assert (TalkResource.objects.count(), path.exists()) == (0, False)


@pytest.mark.parametrize("person", ["member", "other_organiser"])
def test_api_writes_of_someone_else_are_not_found_and_change_nothing(world, client, person):
    link = services.talk_link_add(
        user=world["speaker"], talk=world["talk"], kind="slides", url="https://e.org/s"
    )
    headers = _bearer(world[person])
    answers = [
        client.post(
            "/api/talks/the-talk/resources/links", {"kind": "slides", "url": "https://e.org/t"},
            content_type="application/json", headers=headers,
        ).status_code,
        client.post("/api/slides/the-talk", {"file": pdf_upload()}, headers=headers).status_code,
        client.delete(f"/api/talks/the-talk/resources/{link.pk}", headers=headers).status_code,
    ]  # fmt: skip
    assert answers == [404, 404, 404]
    assert list(TalkResource.objects.values_list("pk", flat=True)) == [link.pk]


def test_api_writes_need_credentials(world, client):
    assert client.post("/api/slides/the-talk", {"file": pdf_upload()}).status_code == 401
    assert TalkResource.objects.count() == 0


def test_api_rate_limit_is_the_pages_budget(world, client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "meetups.slides_upload": "1/h"}
    headers = _bearer(world["speaker"])
    assert (
        client.post("/api/slides/the-talk", {"file": pdf_upload()}, headers=headers).status_code
        == 201
    )
    client.force_login(world["speaker"])
    page = client.post("/slides/the-talk/", {"file": pdf_upload()})
    assert page.status_code == 429
    assert TalkResource.objects.count() == 1


def test_api_answers_an_unreadable_multipart_body_as_invalid(world, client):
    """Found by schemathesis: a multipart body without a boundary was Django's logged 400."""
    response = client.post(
        "/api/slides/the-talk", data="x", content_type="multipart/form-data",
        headers=_bearer(world["speaker"]),
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json() == {
        "detail": "The multipart body could not be read.", "kind": "invalid", "field": None
    }  # fmt: skip
