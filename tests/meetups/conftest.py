"""Fixtures for the talk resources tests (slides and links)."""

import pytest

from tests.meetups.resource_helpers import talk_world


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to this test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(db):
    """A talk with a speaker, its organiser, a member and another group's organiser."""
    return talk_world()
