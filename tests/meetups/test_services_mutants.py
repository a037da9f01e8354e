"""What the mutation run of meetups/services.py found untested (docs/testing.md, "Mutation
testing"): the exact refusals of the slides and links services (message, kind, field), the
title's bounds, the resource deleted being the one asked for, a failed save cleaned up without
a second write, and which cached pages a change renews.

The pages and the API assert these refusals' statuses; here the services are called directly.
Each test names the break it guards; each was checked against the mutant it was written for.
"""

from unittest import mock

import pytest

from meetups import services
from meetups.models import RESOURCE_TITLE_MAX_LENGTH, TalkResource
from portal.errors import Kind, ServiceError
from tests.meetups.resource_helpers import pdf_upload
from tests.page_renewals import its_event_and_the_lists, renewed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]
VIDEO = "https://video.example.com/watch/42"


def _refusal(call, **kwargs) -> tuple:
    with pytest.raises(ServiceError) as refused:
        call(**kwargs)
    error = refused.value
    return (error.kind, error.message, error.field)


def _link(world, **fields) -> TalkResource:
    return services.talk_link_add(
        user=world["speaker"], talk=world["talk"], **({"kind": "video", "url": VIDEO} | fields)
    )


@pytest.mark.parametrize(
    "call, kwargs",
    [
        (services.talk_link_add, {"kind": "video", "url": VIDEO}),
        (services.talk_slides_upload, {"upload": None}),
        (services.talk_resource_delete, {"resource_id": 1}),
    ],
    ids=["link", "slides", "delete"],
)
def test_someone_who_may_not_edit_is_told_there_is_no_such_talk(world, call, kwargs):
    """Breaks: `_require_editor`'s message changed or dropped (a member sees "None")."""
    refusal = _refusal(call, user=world["member"], talk=world["talk"], **kwargs)

    assert refusal == (Kind.NOT_FOUND, "No such talk.", None)


def test_a_full_talk_refuses_a_link_and_slides_with_the_limit_in_the_message(world):
    """Breaks: the limit's message dropped; the slides' room checked for no talk at all
    (`_require_room(None)` counts nothing, so a 21st resource is stored)."""
    for n in range(services.MAX_RESOURCES_PER_TALK):
        _link(world, url=f"{VIDEO}?part={n}")
    message = "A talk can have at most 20 slides and links: remove one first."

    link = _refusal(
        services.talk_link_add, user=world["speaker"], talk=world["talk"], kind="video", url=VIDEO
    )
    slides = _refusal(
        services.talk_slides_upload, user=world["speaker"], talk=world["talk"], upload=pdf_upload()
    )

    assert link == slides == (Kind.CONFLICT, message, None)
    assert TalkResource.objects.filter(talk=world["talk"]).count() == 20


def test_a_title_is_kept_with_its_runs_of_spaces_made_one(world):
    """Breaks: the title's words joined by something else than one space; the title given not
    passed on (`_title(None)`) or not stored."""
    resource = _link(world, title="  The   recording \n of the night ")

    resource.refresh_from_db()
    assert resource.title == "The recording of the night"


def test_a_title_of_exactly_the_limit_is_kept_and_one_more_refused(world):
    """Breaks: the limit excluded (`>=` for `>`); the refusal's message or field changed."""
    longest = "t" * RESOURCE_TITLE_MAX_LENGTH

    assert _link(world, title=longest).title == longest
    refusal = _refusal(
        services.talk_link_add,
        user=world["speaker"],
        talk=world["talk"],
        kind="video",
        url=VIDEO,
        title=longest + "t",
    )
    assert refusal == (Kind.INVALID, "The title is longer than 120 characters.", "title")


def test_a_link_without_a_title_has_an_empty_one(world):
    """Breaks: the title's default changed (a link added without one shown as "XXXX")."""
    resource = _link(world)

    resource.refresh_from_db()
    assert resource.title == ""


def test_an_unknown_kind_of_link_is_refused_on_its_field(world):
    """Breaks: the message or the field of the kind's refusal changed or dropped."""
    refusal = _refusal(
        services.talk_link_add, user=world["speaker"], talk=world["talk"], kind="music", url=VIDEO
    )

    assert refusal == (Kind.INVALID, "Choose slides, source code or video.", "kind")


def test_a_start_time_on_slides_is_refused_on_its_field(world):
    """Breaks: the message of "only a video has a start time" changed or dropped."""
    refusal = _refusal(
        services.talk_link_add,
        user=world["speaker"],
        talk=world["talk"],
        kind="slides",
        url="https://slides.example.com/deck",
        start="1:30",
    )

    assert refusal == (Kind.INVALID, "Only a video has a start time.", "start")


def test_slides_without_a_file_are_refused_on_the_file_field(world):
    """Breaks: the message or the field of the missing file's refusal changed or dropped."""
    refusal = _refusal(
        services.talk_slides_upload, user=world["speaker"], talk=world["talk"], upload=None
    )

    assert refusal == (Kind.INVALID, "Choose a PDF file.", "file")


def test_slides_are_written_in_one_insert(world, django_assert_num_queries):
    """Breaks: the file's storage saving the row too (`save=True`, or the argument dropped):
    an INSERT then an UPDATE of the same row."""
    # The editor check (speakers, then the group's organisers), the room's count, the INSERT.
    with django_assert_num_queries(4) as queries:
        services.talk_slides_upload(user=world["speaker"], talk=world["talk"], upload=pdf_upload())

    writes = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SELECT")]
    assert len(writes) == 1 and writes[0].startswith("INSERT")


def test_a_failed_save_removes_the_stored_file_without_writing_again(world, settings):
    """Breaks: the clean-up after a failed save deleting the file with `save=True`, which
    writes the row a second time (and raises again) while the first error is handled."""
    saves = []

    def failing_save(self, *args, **kwargs):
        saves.append(self.file.name)
        raise RuntimeError("the database went away")

    with (
        mock.patch.object(TalkResource, "save", failing_save),
        pytest.raises(RuntimeError, match="the database went away") as raised,
    ):
        services.talk_slides_upload(user=world["speaker"], talk=world["talk"], upload=pdf_upload())

    assert len(saves) == 1
    assert raised.value.__context__ is None
    assert list((settings.MEDIA_ROOT / "talk-resources").iterdir()) == []


def test_deleting_removes_exactly_the_resource_asked_for(world):
    """Breaks: the resource looked up by talk alone (its id ignored), deleting the talk's
    first resource whichever was asked for."""
    first = _link(world, url=f"{VIDEO}?part=1")
    second = _link(world, url=f"{VIDEO}?part=2")

    services.talk_resource_delete(user=world["speaker"], talk=world["talk"], resource_id=second.pk)

    assert list(TalkResource.objects.filter(talk=world["talk"])) == [first]


def test_deleting_an_unknown_resource_is_refused_on_its_field(world):
    """Breaks: the message or the field of the unknown resource's refusal changed or dropped."""
    refusal = _refusal(
        services.talk_resource_delete, user=world["speaker"], talk=world["talk"], resource_id=999
    )

    assert refusal == (Kind.NOT_FOUND, "No such slides or link.", "resource")


@pytest.mark.parametrize("action", ["link", "slides", "delete"])
def test_a_change_renews_its_events_pages_and_the_lists_not_the_whole_site(
    world, action, django_capture_on_commit_callbacks
):
    """Breaks: a change renewing every cached page of the site (`page_cache_bump` without the
    event) instead of its event's pages and the lists that show the event."""
    if action == "delete":
        resource = _link(world)
    talk, speaker = world["talk"], world["speaker"]

    with renewed(world["event"].pk, django_capture_on_commit_callbacks) as changed:
        if action == "link":
            _link(world)
        elif action == "slides":
            services.talk_slides_upload(user=speaker, talk=talk, upload=pdf_upload())
        else:
            services.talk_resource_delete(user=speaker, talk=talk, resource_id=resource.pk)

    assert changed == its_event_and_the_lists(world["event"].pk)
