"""What the organiser's services share: work deferred until the change is committed."""

from functools import partial

from django.db import transaction

from meetups.models import Event
from portal.pagecache import page_cache_bump

from ..receivers import dashboard_counts_changed


def after_commit(func, **kwargs) -> None:
    """Run `func(**kwargs)` once the transaction commits; its failure never undoes the change."""
    transaction.on_commit(partial(func, **kwargs), robust=True)


def announce_counts(event: Event) -> None:
    """The dashboard shows whether RSVPs are open: re-broadcast its numbers after commit."""
    after_commit(dashboard_counts_changed, event_id=event.pk)
    page_cache_bump(event_id=event.pk)  # so does the event page's RSVP panel
