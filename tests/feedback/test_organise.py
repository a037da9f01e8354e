"""Feedback on the organiser's side: the dashboard's counts and averages, the talk CSV."""

import csv
import io

import pytest
from django.test import Client

from feedback.models import TalkFeedback
from feedback.selectors import event_feedback_summaries
from tests import factories

from .conftest import rsvp

DASHBOARD = "/organise/syd/evening/"
CSV = "/organise/syd/evening/export/talks.csv"


def _ratings(world, talk, *ratings):
    for rating in ratings:
        person = factories.make_user()
        rsvp(world.event, person, checked_in=True)
        TalkFeedback.objects.create(talk=talk, user=person, rating=rating, comment="c")


def _organiser(world) -> Client:
    client = Client()
    client.force_login(world.organiser)
    return client


def test_summaries_per_talk_in_agenda_order(world, django_assert_num_queries):
    _ratings(world, world.talk, 4, 5, 5)
    with django_assert_num_queries(1):
        rows = event_feedback_summaries(event=world.event)
    assert [(t.slug, s.count, s.average) for t, s in rows] == [
        ("the-talk", 3, 4.7),
        ("other-talk", 0, None),
    ]


def test_dashboard_shows_counts_and_averages(world):
    _ratings(world, world.talk, 1, 2)
    _ratings(world, world.other_talk, 5)
    page = _organiser(world).get(DASHBOARD).content.decode()
    assert (
        '<td class="py-1.5"><a href="/talks/the-talk/feedback/">The talk</a></td>'
        '<td class="py-1.5 text-right tabular-nums">2</td>'
        '<td class="py-1.5 text-right tabular-nums">1.5</td>'
    ) in page
    assert (
        '<a href="/talks/other-talk/feedback/">Other talk</a></td>'
        '<td class="py-1.5 text-right tabular-nums">1</td>'
        '<td class="py-1.5 text-right tabular-nums">5.0</td>'
    ) in page


@pytest.mark.parametrize("n", [1, 4])
def test_dashboard_summary_panel_queries_do_not_grow(world, django_assert_num_queries, n):
    _ratings(world, world.talk, *[3] * n)
    client = _organiser(world)
    url = DASHBOARD + "panels/summary/"
    client.get(url, headers={"HX-Request": "true"})
    with django_assert_num_queries(10) as captured:
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
    assert sum("feedback_talkfeedback" in q["sql"] for q in captured.captured_queries) == 1


def test_talk_csv_has_counts_and_averages(world):
    _ratings(world, world.talk, 4, 5)
    response = _organiser(world).get(CSV)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="evening-talks.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [
        ["talk", "speakers", "order", "duration_minutes", "feedback_count", "feedback_average"],
        ["The talk", "Sam Speaker", "1", "20", "2", "4.5"],
        ["Other talk", "Oscar Other", "2", "20", "0", ""],
    ]


def test_talk_csv_is_the_organisers_only(world):
    client = Client()
    client.force_login(world.speaker)
    assert client.get(CSV).status_code == 404
