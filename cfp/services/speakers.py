"""Speaker profiles: the name, bio, links and photo the audience sees next to a talk."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile

from meetups.models import Speaker, SpeakerLink, unique_slug
from portal.errors import forbidden, invalid
from portal.pagecache import page_cache_bump
from portal.people import display_name

PHOTO_MAX_BYTES = 2 * 1024 * 1024
# Checked against the file's first bytes, never its name or the browser's claimed type.
PHOTO_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
MAX_LINKS = 5


def photo_content_type(upload: UploadedFile) -> str:
    """The photo's real type from its first bytes; INVALID if it is not allowed."""
    if upload.size > PHOTO_MAX_BYTES:
        raise invalid("The photo is larger than 2 MB.", field="photo")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type in PHOTO_SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    raise invalid("The photo must be a PNG, JPEG or WebP image.", field="photo")


def speaker_profile_save(
    *,
    user: AbstractBaseUser,
    name: str,
    bio: str,
    links: list[tuple[str, str]] | None = None,
    photo: UploadedFile | None = None,
    remove_photo: bool = False,
) -> Speaker:
    """Creates or updates the user's speaker profile; `links` replaces the existing links.

    A new photo replaces (and deletes) the old file.
    """
    if not user.is_authenticated:
        raise forbidden("Log in to create a speaker profile.")
    name = name.strip()
    if not name:
        raise invalid("Your name is required.", field="name")
    content_type = photo_content_type(photo) if photo else ""
    speaker = Speaker.objects.filter(user=user).first()
    if speaker is None:
        speaker = Speaker(user=user, slug=unique_slug(Speaker, name))
    speaker.name = name
    speaker.bio = bio.strip()
    old_photo = speaker.photo.name if speaker.photo else ""
    if photo:
        speaker.photo.save("photo", photo, save=False)
        speaker.photo_content_type = content_type
    elif remove_photo:
        speaker.photo = ""
        speaker.photo_content_type = ""
    speaker.save()
    if old_photo and old_photo != (speaker.photo.name or ""):
        speaker.photo.storage.delete(old_photo)
    if links is not None:
        speaker.links.all().delete()
        SpeakerLink.objects.bulk_create(
            SpeakerLink(speaker=speaker, label=label.strip()[:40], url=url)
            for label, url in links[:MAX_LINKS]
            if url
        )
    page_cache_bump()  # the name shows on every page that lists the speaker's talks
    return speaker


def speaker_ensure(*, user: AbstractBaseUser) -> Speaker:
    """The user's speaker profile, created from their name if they never filled one in."""
    speaker = Speaker.objects.filter(user=user).first()
    if speaker:
        return speaker
    name = display_name(user)
    return Speaker.objects.create(user=user, name=name, slug=unique_slug(Speaker, name))
