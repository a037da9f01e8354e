"""Writes for talks' resources: PDF slides and links (slides, source code, video).

Each checks `meetups.rules.can_edit_talk_resources` (the talk's speakers and its group's
organisers); anyone else is answered NOT_FOUND, as if the editing did not exist. Rate limits
are the views' and the API's job (`portal.ratelimit.check_rate`, one budget per action).
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from portal.errors import ServiceError, conflict, invalid, not_found
from portal.pagecache import page_cache_bump

from . import talk_resources
from .models import RESOURCE_TITLE_MAX_LENGTH, Talk, TalkResource
from .rules import can_edit_talk_resources

MAX_RESOURCES_PER_TALK = 20


def _require_editor(user: AbstractBaseUser, talk: Talk) -> None:
    if not can_edit_talk_resources(user, talk):
        raise not_found("No such talk.")


def _require_room(talk: Talk) -> None:
    if TalkResource.objects.filter(talk=talk).count() >= MAX_RESOURCES_PER_TALK:
        raise conflict(
            f"A talk can have at most {MAX_RESOURCES_PER_TALK} slides and links: remove one first."
        )


def _title(title: str) -> str:
    title = " ".join((title or "").split())
    if len(title) > RESOURCE_TITLE_MAX_LENGTH:
        raise invalid(
            f"The title is longer than {RESOURCE_TITLE_MAX_LENGTH} characters.", field="title"
        )
    return title


def talk_link_add(
    *,
    user: AbstractBaseUser,
    talk: Talk,
    kind: str,
    url: str,
    title: str = "",
    start: str | int | None = None,
) -> TalkResource:
    """Attaches a link to `talk`. `start` (seconds, mm:ss or hh:mm:ss) only for a video: the
    talk page's link opens it there (`meetups.video.watch_url_at`)."""
    _require_editor(user, talk)
    if kind not in TalkResource.Kind.values:
        raise invalid("Choose slides, source code or video.", field="kind")
    url = talk_resources.link_check(url)
    title = _title(title)
    seconds = talk_resources.start_parse(start)
    if seconds is not None and kind != TalkResource.Kind.VIDEO:
        raise invalid("Only a video has a start time.", field="start")
    _require_room(talk)
    resource = TalkResource.objects.create(
        talk=talk, kind=kind, url=url, title=title, start_seconds=seconds, uploaded_by=user
    )
    page_cache_bump(event_id=talk.event_id)
    return resource


def talk_slides_upload(
    *, user: AbstractBaseUser, talk: Talk, upload: UploadedFile, title: str = ""
) -> TalkResource:
    """Attaches a PDF of slides to `talk`, checked by content (`talk_resources.pdf_check`)
    and stored under a random name; the uploaded name is kept only as the download name."""
    _require_editor(user, talk)
    if upload is None:
        raise invalid("Choose a PDF file.", field="file")
    talk_resources.pdf_check(upload)
    title = _title(title)
    _require_room(talk)
    resource = TalkResource(
        talk=talk,
        kind=TalkResource.Kind.SLIDES,
        title=title,
        file_name=talk_resources.download_name(upload.name),
        file_size=upload.size,
        uploaded_by=user,
    )
    resource.file.save("slides.pdf", upload, save=False)
    try:
        resource.save()
    except Exception:
        resource.file.delete(save=False)
        raise
    page_cache_bump(event_id=talk.event_id)
    return resource


def talk_resource_delete(*, user: AbstractBaseUser, talk: Talk, resource_id: int) -> None:
    """Removes one of `talk`'s resources; an uploaded file is deleted from storage once the
    row's deletion is committed."""
    _require_editor(user, talk)
    resource = TalkResource.objects.filter(talk=talk, pk=resource_id).first()
    if resource is None:
        raise ServiceError("No such slides or link.", kind="not_found", field="resource")
    name, storage = resource.file.name, resource.file.storage
    resource.delete()
    page_cache_bump(event_id=talk.event_id)
    if name:
        transaction.on_commit(lambda: storage.delete(name))
