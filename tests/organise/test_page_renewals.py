"""The organiser's writes renew the cached pages that show their event (portal/pagecache.py),
and publishing tells the apps that listen for it (notify's new-event email)."""

import pytest

from meetups.models import Event
from meetups.signals import event_published
from organise import services
from tests import factories
from tests.page_renewals import its_event_and_the_lists, renewed

pytestmark = pytest.mark.django_db


WRITES = {
    "edit": lambda event, user: services.event_update(
        event=event, user=user, fields=factories.event_fields(event, title="Renamed night")
    ),
    "publish": lambda event, user: services.event_publish(event=event, user=user),
    "unpublish": lambda event, user: services.event_unpublish(event=event, user=user),
    "cancel": lambda event, user: services.event_cancel(event=event, user=user),
    "open RSVPs": lambda event, user: services.rsvp_window_open(event=event, user=user),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_a_write_renews_its_events_pages_and_the_lists_not_the_whole_site(
    write, group, organiser, django_capture_on_commit_callbacks
):
    """Breaks: an edit, publish, unpublish, cancel or RSVP window change (`announce_counts`)
    renewing every cached page of the site (`page_cache_bump` without the event) instead of
    its event's pages and the lists."""
    status = Event.Status.DRAFT if write == "publish" else Event.Status.PUBLISHED
    event = factories.make_event(group=group, status=status)

    with renewed(event.pk, django_capture_on_commit_callbacks) as changed:
        WRITES[write](event, organiser)

    assert changed == its_event_and_the_lists(event.pk)


def test_publishing_sends_event_published_from_the_event_model(group, organiser):
    """Breaks: the signal sent with another sender (`sender=None`): receivers connected for
    `sender=Event`, as notify's new-event email is, would never hear of it."""
    draft = factories.make_event(group=group, status=Event.Status.DRAFT)
    heard = []

    def receiver(sender, event, **kwargs):
        heard.append((sender, event.pk))

    event_published.connect(receiver, sender=Event, weak=False)
    try:
        services.event_publish(event=draft, user=organiser)
    finally:
        event_published.disconnect(receiver, sender=Event)

    assert heard == [(Event, draft.pk)]
