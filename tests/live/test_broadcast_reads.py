"""The written-out reads of a Q&A broadcast (live/selectors.py: the event, the talk, the
questions with their authors) load what the ORM loads, in its order, on SQLite and
PostgreSQL."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from live import selectors, services
from live.models import Question
from meetups.models import Event
from tests.databases import ON_EACH_DATABASE
from tests.factories import make_event, make_user
from tests.live.helpers import field_values

pytestmark = pytest.mark.django_db


def _ask(event, talk, text, votes=0, **fields) -> Question:
    question = services.question_create(event=event, talk=talk, author=make_user(), text=text)
    Question.objects.filter(pk=question.pk).update(vote_count=votes, **fields)
    return question


@ON_EACH_DATABASE
def test_a_qas_questions_are_the_orms_with_their_authors_in_its_order(
    database, running_event, talk, django_assert_num_queries
):
    assert connection.vendor == database
    _ask(running_event, talk, "Fewer votes?", votes=1)
    _ask(running_event, talk, "Most votes?", votes=5, answered_at=timezone.now())
    _ask(running_event, talk, "Tied, asked first?", votes=2)
    _ask(running_event, talk, "Tied, asked last?", votes=2, status=Question.Status.HIDDEN)
    _ask(running_event, None, "To the whole event?", votes=9)
    other_talk = running_event.talks.exclude(pk=talk.pk).get()
    _ask(running_event, other_talk, "Another talk's?")

    for talk_id in (talk.pk, None):
        orm = list(
            Question.objects.filter(event_id=running_event.pk, talk_id=talk_id).select_related(
                "author"
            )
        )
        with django_assert_num_queries(1):
            read = selectors.qa_questions(event_id=running_event.pk, talk_id=talk_id)
        with django_assert_num_queries(0):
            authors = [question.author for question in read]

        assert [field_values(q) for q in read] == [field_values(q) for q in orm]
        assert [field_values(a) for a in authors] == [field_values(q.author) for q in orm]
    assert [q.text for q in selectors.qa_questions(event_id=running_event.pk, talk_id=talk.pk)] == [
        "Most votes?",
        "Tied, asked last?",
        "Tied, asked first?",
        "Fewer votes?",
    ]
    assert read[0].created_at.tzinfo is not None  # the converters ran (SQLite hands back text)


@ON_EACH_DATABASE
def test_the_event_and_its_talk_are_the_orms(database, running_event, talk, group):
    assert connection.vendor == database
    elsewhere = make_event(group=group, starts_in=timedelta(days=3))

    event = selectors.event_for_broadcast(event_id=running_event.pk)

    assert field_values(event) == field_values(Event.objects.get(pk=running_event.pk))
    assert event.ends_at.tzinfo is not None
    assert field_values(selectors.talk_of_event(event=event, talk_id=talk.pk)) == field_values(talk)
    assert selectors.talk_of_event(event=elsewhere, talk_id=talk.pk) is None


def test_an_event_gone_before_its_broadcast_raises_does_not_exist_as_get_does(running_event):
    gone = running_event.pk
    running_event.delete()

    with pytest.raises(Event.DoesNotExist):
        selectors.event_for_broadcast(event_id=gone)
