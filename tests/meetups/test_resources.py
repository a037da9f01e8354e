"""A talk's slides and links: checks by content, storage, the download's headers, the page."""

import asyncio
from pathlib import Path

import pytest
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse

from meetups import services
from meetups.models import TalkResource
from meetups.talk_resources import download_name, start_parse
from portal.asgi_http import ThreadPoolASGIHandler
from portal.errors import Kind, ServiceError
from portal.personal_data import account_erasing, personal_data_requested
from tests.meetups.resource_helpers import TINY_PDF, pdf_upload, talk_world
from tests.portal.test_body_limits import MULTIPART, Server, scope

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]
MiB = 1024 * 1024
ANONYMOUS_TALK_PAGE_QUERIES = 5


def _stored_files(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_pdf_upload_is_stored_under_a_random_name(world, settings):
    resource = services.talk_slides_upload(
        user=world["speaker"], talk=world["talk"], upload=pdf_upload("Évolution/../My slides.pdf")
    )

    stored = _stored_files(settings)
    assert stored == [resource.file.name]
    assert stored[0].startswith("talk-resources/") and stored[0].endswith(".pdf")
    assert "slides" not in stored[0].lower().removeprefix("talk-resources/")
    assert resource.file_name == "My slides.pdf"
    assert resource.file_size == len(TINY_PDF)
    assert (resource.kind, resource.uploaded_by) == ("slides", world["speaker"])
    assert Path(settings.MEDIA_ROOT, stored[0]).read_bytes() == TINY_PDF


def test_upload_named_pdf_but_not_a_pdf_is_refused(world, client, settings):
    client.force_login(world["speaker"])
    fake = pdf_upload("slides.pdf", b"<html><script>alert(1)</script></html>" * 4)

    response = client.post(
        reverse("meetups:talk_slides_upload", kwargs={"slug": "the-talk"}), {"file": fake}
    )

    assert response.status_code == 422
    assert response.context["slides_form"].errors == {
        "file": ["The file is not a PDF: export your slides as PDF."]
    }
    assert TalkResource.objects.count() == 0
    assert _stored_files(settings) == []


def test_upload_with_pdf_header_but_no_end_marker_is_refused(world):
    with pytest.raises(ServiceError) as refused:
        services.talk_slides_upload(
            user=world["speaker"], talk=world["talk"], upload=pdf_upload(content=b"%PDF-1.7\n" * 20)
        )
    assert (refused.value.kind, refused.value.field) == (Kind.INVALID, "file")


def test_pdf_with_another_declared_type_and_name_is_judged_by_content(world):
    resource = services.talk_slides_upload(
        user=world["organiser"],
        talk=world["talk"],
        upload=pdf_upload("notes.txt", content_type="text/plain"),
    )
    assert resource.file_name == "notes.txt.pdf"


class _Unreadable(UploadedFile):
    """An upload that claims a size and fails the test if anything reads it."""

    def __init__(self, size: int):
        super().__init__(file=None, name="big.pdf", content_type="application/pdf", size=size)

    def read(self, *args):
        raise AssertionError("the file was read")

    def seek(self, *args):
        raise AssertionError("the file was read")


def test_over_twenty_mib_is_refused_by_its_size_without_reading_it(world):
    with pytest.raises(ServiceError) as refused:
        services.talk_slides_upload(
            user=world["speaker"], talk=world["talk"], upload=_Unreadable(20 * MiB + 1)
        )
    assert (refused.value.message, refused.value.field) == (
        "The file is larger than 20 MiB.",
        "file",
    )


def test_over_twenty_mib_through_the_page_is_refused_and_spooled_to_disk(world, client, settings):
    """The form refuses it by its size; Django spooled it to a temporary file (the memory
    limit is the body limit), so the 20 MiB never sat in memory."""
    client.force_login(world["speaker"])
    big = pdf_upload("big.pdf", TINY_PDF[:-6] + b"\0" * (20 * MiB) + b"%%EOF\n")

    response = client.post(
        reverse("meetups:talk_slides_upload", kwargs={"slug": "the-talk"}), {"file": big}
    )

    assert response.status_code == 422
    assert response.context["slides_form"].errors == {"file": ["The file is larger than 20 MiB."]}
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 256 * 1024
    assert TalkResource.objects.count() == 0


def test_a_body_over_the_slides_limit_is_refused_before_it_is_read():
    """The upload routes take 20 MiB and room for the form, and not a byte more is read."""
    server = Server(b"--xyz--\r\n")
    request = scope("/slides/the-talk/", content_type=MULTIPART, length=20 * MiB + 64 * 1024 + 1)
    handler = ThreadPoolASGIHandler(threads=1)
    asyncio.run(asyncio.wait_for(handler(request, server.receive, server.send), 30))

    assert (server.status, server.handed_out) == (413, 0)


def test_the_download_is_an_attachment_that_is_never_sniffed_or_rendered(world, client):
    resource = services.talk_slides_upload(
        user=world["speaker"], talk=world["talk"], upload=pdf_upload('Talk "final".pdf')
    )

    response = client.get(resource.href)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == TINY_PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Talk \\"final\\".pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_non_ascii_download_name_is_sent_as_rfc_6266_filename_star(world, client):
    resource = services.talk_slides_upload(
        user=world["speaker"], talk=world["talk"], upload=pdf_upload("Café été.pdf")
    )
    response = client.get(resource.href)
    assert (
        response["Content-Disposition"]
        == "attachment; filename*=utf-8''Caf%C3%A9%20%C3%A9t%C3%A9.pdf"
    )


def test_download_of_a_draft_events_slides_is_not_found_for_the_public(client):
    world = talk_world(status="draft")
    resource = services.talk_slides_upload(
        user=world["organiser"], talk=world["talk"], upload=pdf_upload()
    )
    assert client.get(resource.href).status_code == 404
    client.force_login(world["organiser"])
    assert client.get(resource.href).status_code == 200


def test_download_name_drops_paths_and_control_characters():
    assert download_name("C:\\Users\\me\\deck.PDF") == "deck.pdf"
    assert download_name("a\r\nb\u202e.pdf") == "ab.pdf"
    assert download_name("") == "slides.pdf"
    assert download_name("x" * 300 + ".pdf") == "x" * 116 + ".pdf"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("", None), ("90", 90), ("1:30", 90), ("01:02:03", 3723), ("0", None), ("86400", 86400)],
)
def test_start_times_read_as_seconds(text, seconds):
    assert start_parse(text) == seconds


@pytest.mark.parametrize("text", ["1:60", "1:60:00", "86401", "-5", "1.5", "١٢", "1:2:3:4", "a"])
def test_start_times_out_of_bounds_or_malformed_are_refused(text):
    with pytest.raises(ServiceError) as refused:
        start_parse(text)
    assert (refused.value.kind, refused.value.field) == (Kind.INVALID, "start")


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.org/x", "https://", "https://e.org/" + "a" * 500]
)
def test_links_other_than_http_or_too_long_are_refused(world, url):
    with pytest.raises(ServiceError) as refused:
        services.talk_link_add(user=world["speaker"], talk=world["talk"], kind="slides", url=url)
    assert (refused.value.kind, refused.value.field) == (Kind.INVALID, "url")
    assert TalkResource.objects.count() == 0


def test_only_a_video_has_a_start_time(world):
    with pytest.raises(ServiceError) as refused:
        services.talk_link_add(
            user=world["speaker"], talk=world["talk"], kind="source",
            url="https://github.com/x/y", start="1:00",
        )  # fmt: skip
    assert refused.value.field == "start"


def test_a_talk_holds_at_most_twenty_resources(world):
    for n in range(services.MAX_RESOURCES_PER_TALK):
        services.talk_link_add(
            user=world["speaker"], talk=world["talk"], kind="slides", url=f"https://e.org/{n}"
        )
    with pytest.raises(ServiceError) as refused:
        services.talk_link_add(
            user=world["speaker"], talk=world["talk"], kind="slides", url="https://e.org/x"
        )
    assert refused.value.kind == Kind.CONFLICT


def test_a_video_with_a_start_opens_there_like_the_evenings_recording(world, client):
    services.talk_link_add(
        user=world["speaker"], talk=world["talk"], kind="video",
        url="https://youtu.be/jeJmQazH3jA", title="Recording", start="28:30",
    )  # fmt: skip

    page = client.get(world["talk"].get_absolute_url()).content.decode()

    assert 'href="https://www.youtube.com/watch?v=jeJmQazH3jA&amp;t=1710s"' in page
    assert "(Video, from 28:30)" in page


def test_removing_slides_deletes_the_file(
    world, client, settings, django_capture_on_commit_callbacks
):
    resource = services.talk_slides_upload(
        user=world["speaker"], talk=world["talk"], upload=pdf_upload()
    )
    client.force_login(world["organiser"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("meetups:talk_resource_delete", kwargs={"slug": "the-talk"}),
            {"resource": resource.pk},
        )
    assert (response.status_code, response["Location"]) == (302, "/talks/the-talk/resources/")
    assert TalkResource.objects.count() == 0
    assert _stored_files(settings) == []


def test_removing_another_talks_resource_is_not_found(world, client):
    other = talk_world(slug="another-talk")
    link = services.talk_link_add(
        user=other["speaker"], talk=other["talk"], kind="slides", url="https://e.org/s"
    )
    client.force_login(world["speaker"])
    response = client.post(
        reverse("meetups:talk_resource_delete", kwargs={"slug": "the-talk"}), {"resource": link.pk}
    )
    assert response.status_code == 404
    assert TalkResource.objects.filter(pk=link.pk).exists()


# --- who may, on every route ------------------------------------------------------------------

ROUTES = {
    "page": ("get", "meetups:talk_resources", None),
    "link": ("post", "meetups:talk_link_add", {"kind": "slides", "url": "https://e.org/s"}),
    "upload": ("post", "meetups:talk_slides_upload", "pdf"),
    "remove": ("post", "meetups:talk_resource_delete", "resource"),
}
# person: (page, link, upload, remove) statuses; 302 = done and back to the page.
MATRIX = {
    None: (302, 302, 302, 302),  # to the login page
    "member": (404, 404, 404, 404),
    "other_organiser": (404, 404, 404, 404),
    "speaker": (200, 302, 302, 302),
    "organiser": (200, 302, 302, 302),
}


@pytest.mark.parametrize("person", list(MATRIX))
@pytest.mark.parametrize("draft", [False, True])
def test_permission_matrix_of_the_resource_routes(
    client, person, draft, django_capture_on_commit_callbacks
):
    world = talk_world(status="draft" if draft else "published")
    existing = services.talk_link_add(
        user=world["organiser"], talk=world["talk"], kind="source", url="https://e.org/src"
    )
    if person:
        client.force_login(world[person])
    answers = []
    for method, name, data in ROUTES.values():
        if data == "pdf":
            data = {"file": pdf_upload()}
        elif data == "resource":
            data = {"resource": existing.pk}
        url = reverse(name, kwargs={"slug": "the-talk"})
        with django_capture_on_commit_callbacks(execute=True):
            response = getattr(client, method)(url, data or {})
        answers.append(response.status_code)
        if response.status_code == 302 and person is None:
            assert response["Location"].startswith("/accounts/login/")
    expected = MATRIX[person]
    if draft and person == "speaker":
        expected = (404, 404, 404, 404)  # a draft's talks exist for its organisers only
    assert tuple(answers) == expected
    written = TalkResource.objects.exclude(pk=existing.pk).count()
    assert written == (2 if expected[1] == 302 and person else 0)


def test_the_talk_page_links_the_editing_page_for_its_speakers_only(world, client):
    url = world["talk"].get_absolute_url()
    edit = reverse("meetups:talk_resources", kwargs={"slug": "the-talk"})
    assert edit not in client.get(url).content.decode()
    client.force_login(world["member"])
    assert edit not in client.get(url).content.decode()
    client.force_login(world["speaker"])
    assert f'href="{edit}"' in client.get(url).content.decode()


def test_each_write_has_its_own_rate_budget(world, client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "meetups.link_add": "1/h"}
    client.force_login(world["speaker"])
    url = reverse("meetups:talk_link_add", kwargs={"slug": "the-talk"})
    data = {"kind": "slides", "url": "https://e.org/s"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 429
    upload = reverse("meetups:talk_slides_upload", kwargs={"slug": "the-talk"})
    assert client.post(upload, {"file": pdf_upload()}).status_code == 302
    assert TalkResource.objects.count() == 2


def test_talk_page_queries_do_not_grow_with_resources(world, client, django_assert_num_queries):
    """Anonymous: the talk, its speakers, its resources, and the apps' panels below (the Q&A
    archive's check...). One resource or six, the same count."""
    url = world["talk"].get_absolute_url()
    services.talk_slides_upload(user=world["speaker"], talk=world["talk"], upload=pdf_upload())
    with django_assert_num_queries(ANONYMOUS_TALK_PAGE_QUERIES):
        client.get(url)
    for n in range(5):
        services.talk_link_add(
            user=world["speaker"], talk=world["talk"], kind="slides", url=f"https://e.org/{n}"
        )
    with django_assert_num_queries(ANONYMOUS_TALK_PAGE_QUERIES):
        response = client.get(url)
    assert response.content.decode().count('href="https://e.org/') == 5


def test_personal_data_lists_uploads_and_erasure_keeps_them_without_the_uploader(world):
    resource = services.talk_slides_upload(
        user=world["speaker"], talk=world["talk"], upload=pdf_upload()
    )
    replies = personal_data_requested.send(sender=None, user=world["speaker"])
    answers = dict(answer for _receiver, answer in replies if answer)
    assert answers["talk_resources"] == [
        {
            "talk": "the-talk", "kind": "slides", "title": "", "url": "",
            "file_name": "My slides.pdf", "file_size": len(TINY_PDF), "start_seconds": None,
            "created_at": resource.created_at.isoformat(),
        }
    ]  # fmt: skip

    account_erasing.send(sender=None, user=world["speaker"])

    resource.refresh_from_db()
    assert resource.uploaded_by is None
    assert resource.file.name != ""
