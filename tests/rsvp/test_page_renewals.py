"""An RSVP renews the cached pages that show its event's seats left (portal/pagecache.py)."""

import pytest

from rsvp import services
from tests.page_renewals import its_event_and_the_lists, renewed

pytestmark = pytest.mark.django_db


def test_an_rsvp_renews_its_events_pages_and_the_lists_not_the_whole_site(
    event, member, django_capture_on_commit_callbacks
):
    """Breaks: the seats' change renewing every cached page of the site (`page_cache_bump`
    without the event) instead of its event's pages and the lists."""
    with renewed(event.pk, django_capture_on_commit_callbacks) as changed:
        services.rsvp_create(event=event, user=member)

    assert changed == its_event_and_the_lists(event.pk)
