"""Edges of speaker profiles and their photos (cfp.services.speakers) that the main suite
leaves open."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cfp import services
from meetups.models import Speaker

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


def _speaker_row_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith(('INSERT INTO "meetups_speaker"', 'UPDATE "meetups_speaker"'))
    ]


def test_speaker_profile_save_new_photo_writes_profile_once(member, settings, tmp_path):
    """Guards: the photo's file field saving the profile on its own before the service does,
    so a first profile with a photo is written twice (inserted without its photo type, then
    updated)."""
    settings.MEDIA_ROOT = tmp_path
    with CaptureQueriesContext(connection) as queries:
        services.speaker_profile_save(
            user=member, name="Mem", bio="", photo=SimpleUploadedFile("me.png", PNG)
        )
    assert len(_speaker_row_writes(queries.captured_queries)) == 1
    assert _speaker_row_writes(queries.captured_queries)[0].startswith("INSERT")


def test_speaker_profile_save_remove_photo_returns_empty_name(member, settings, tmp_path):
    """Guards: removing the photo leaving the returned profile with no photo name (None)
    where the stored profile has an empty one, so the caller's copy and the row disagree."""
    settings.MEDIA_ROOT = tmp_path
    services.speaker_profile_save(
        user=member, name="Mem", bio="", photo=SimpleUploadedFile("me.png", PNG)
    )
    speaker = services.speaker_profile_save(user=member, name="Mem", bio="", remove_photo=True)
    assert speaker.photo.name == ""
    assert Speaker.objects.get(pk=speaker.pk).photo.name == ""
    assert list(tmp_path.joinpath("speakers").iterdir()) == []
