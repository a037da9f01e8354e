from datetime import timedelta

import pytest
from django.utils import timezone

from rsvp.models import Rsvp
from tests import factories


def make_rsvp(*, event, user=None, status=Rsvp.Status.GOING, queued_at=None, **fields) -> Rsvp:
    return Rsvp.objects.create(
        event=event,
        user=user or factories.make_user(),
        status=status,
        queued_at=queued_at or timezone.now(),
        **fields,
    )


@pytest.fixture
def db_tasks(settings):
    """The database task backend, which runs tasks later (`run_after`), as in production."""
    settings.TASKS = {"default": {"BACKEND": "portal.task_queue.DatabaseBackend"}}


@pytest.fixture
def soon_event(group):
    """A published event starting in three hours, in Sydney."""
    return factories.make_event(group=group, starts_in=timedelta(hours=3), title="Django Sydney")


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://portal.example"
