"""List pages run a fixed number of queries, whatever the number of rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_event, make_speaker, make_talk


def _past_events(group, n):
    for i in range(n):
        event = make_event(group=group, starts_in=-timedelta(days=10 + i))
        make_talk(event=event, speakers=[make_speaker(), make_speaker()])
        make_talk(event=event, speakers=[make_speaker()])


def _upcoming_events(group, n):
    for i in range(n):
        event = make_event(group=group, starts_in=timedelta(days=2 + i))
        make_talk(event=event, speakers=[make_speaker()])


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/events/past/", "/groups/{group}/", "/api/events",
                                 "/api/talks", "/api/speakers"])  # fmt: skip
def test_list_page_queries_do_not_grow_from_one_to_three_items(client, group, url):
    url = url.format(group=group.slug)
    counts = []
    for added in (1, 2):  # 1 item of each kind, then 3
        _past_events(group, added)
        _upcoming_events(group, added)
        counts.append(_queries(client, url))

    assert counts[0] == counts[1], f"{url}: {counts}"


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "queries"), [("/", 7), ("/events/past/", 5), ("/api/events", 2)])
def test_list_page_query_budget(client, group, url, queries, django_assert_num_queries):
    _past_events(group, 3)
    _upcoming_events(group, 3)

    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_speaker_page_queries_do_not_grow_with_talks(client, group):
    speaker = make_speaker()
    make_talk(event=make_event(group=group), speakers=[speaker])
    one = _queries(client, f"/speakers/{speaker.slug}/")
    for _ in range(2):
        make_talk(event=make_event(group=group), speakers=[speaker, make_speaker()])

    assert _queries(client, f"/speakers/{speaker.slug}/") == one


@pytest.mark.django_db
def test_event_page_queries_do_not_grow_with_talks(client, group):
    event = make_event(group=group)
    make_talk(event=event, speakers=[make_speaker()])
    one = _queries(client, f"/events/{event.slug}/")
    for _ in range(2):
        make_talk(event=event, speakers=[make_speaker(), make_speaker()])

    assert _queries(client, f"/events/{event.slug}/") == one
