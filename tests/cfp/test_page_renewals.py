"""A change to the line-up renews the cached pages that show it (portal/pagecache.py)."""

import pytest

from cfp import services
from tests import factories
from tests.page_renewals import its_event_and_the_lists, renewed

pytestmark = pytest.mark.django_db


def test_moving_a_talk_renews_its_events_pages_and_the_lists_not_the_whole_site(
    event, organiser, django_capture_on_commit_callbacks
):
    """Breaks: the agenda's change renewing every cached page of the site (`page_cache_bump`
    without the event) instead of its event's pages and the lists."""
    factories.make_talk(event=event, order=1)
    second = factories.make_talk(event=event, order=2)

    with renewed(event.pk, django_capture_on_commit_callbacks) as changed:
        services.agenda_move(user=organiser, talk=second, direction="up")

    assert changed == its_event_and_the_lists(event.pk)
