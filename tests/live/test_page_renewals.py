"""A change in the live room renews the cached pages that show it (portal/pagecache.py): the
event page shows live mode, the talk pages the Q&A archive and closed polls."""

import pytest

from live import services
from tests.page_renewals import its_event_and_the_lists, renewed

pytestmark = pytest.mark.django_db


def test_live_mode_renews_its_events_pages_and_the_lists_not_the_whole_site(
    running_event, organiser, django_capture_on_commit_callbacks
):
    """Breaks: the live state's change renewing every cached page of the site
    (`page_cache_bump` without the event) instead of its event's pages and the lists."""
    with renewed(running_event.pk, django_capture_on_commit_callbacks) as changed:
        services.live_mode_set(event=running_event, user=organiser, on=False)

    assert changed == its_event_and_the_lists(running_event.pk)
