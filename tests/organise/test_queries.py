"""Organiser list pages run a fixed number of queries: the same at one item and at three."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organise.models import AttendeeMessage, OrganiserInvitation
from tests import factories
from tests.organise.data import build_world

pytestmark = pytest.mark.django_db


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more_events(w, n):
    for _ in range(n):
        event = factories.make_event(group=w.group, venue=factories.make_venue())
        factories.make_event(group=w.group, status="draft")
        past = factories.make_event(group=w.group, starts_in=-timedelta(days=9))
        for e in (event, past):
            e.rsvps.create(user=factories.make_user(), status="going", queued_at=e.starts_at)


def _more_organisers(w, n):
    for _ in range(n):
        w.group.organisers.add(factories.make_user())
        OrganiserInvitation.objects.create(
            group=w.group, email=f"{factories.make_user().username}@x.org"
        )


def _more_messages(w, n):
    for i in range(n):
        AttendeeMessage.objects.create(
            event=w.event, sender=factories.make_user(), audience="going", subject=f"S{i}",
            body="b", recipient_count=3,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("url", "grow"),
    [
        (reverse("organise:group", kwargs={"group": "sydjango"}), _more_events),
        (reverse("organise:organisers", kwargs={"group": "sydjango"}), _more_organisers),
        (reverse("organise:message", kwargs={"group": "sydjango", "event": "november"}),
         _more_messages),
    ],
)  # fmt: skip
def test_organiser_list_page_queries_do_not_grow(client, url, grow):
    w = build_world()
    client.force_login(w.co_organiser)
    grow(w, 1)
    one = _count(client, url)
    grow(w, 2)
    assert _count(client, url) == one
