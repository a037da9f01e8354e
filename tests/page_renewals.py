"""Which cached pages a write renews (portal/pagecache.py), for the tests of each app's services.

`renewed(event_id, capture)` runs the block with its on-commit callbacks executed (`capture`
is pytest-django's `django_capture_on_commit_callbacks`) and fills the set it yields with the
version names that changed: a change to one event should renew `event_dependency(event_id)` and
`LISTS` (its pages, home and the archive), never `SITE` (every cached page of the site).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from portal.pagecache import LISTS, SITE, _versions, event_dependency


@contextmanager
def renewed(event_id: int, capture) -> Iterator[set[str]]:
    names = [event_dependency(event_id), LISTS, SITE]
    before = _versions(names, create=True)
    changed: set[str] = set()
    with capture(execute=True):
        yield changed
    after = _versions(names, create=False)
    changed.update(name for name in names if after[name] != before[name])


def its_event_and_the_lists(event_id: int) -> set[str]:
    return {event_dependency(event_id), LISTS}
