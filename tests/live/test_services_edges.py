"""Edges of the Q&A services that mutation testing (docs/testing.md) found untested: each test
names the break it guards. Two requests of one person racing (two tabs, a double click) are
made to interleave on one connection: the other request's write runs right after this one's
read, where the service's own check has already answered."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.test.utils import CaptureQueriesContext

from live import services
from live.models import Question, QuestionVote
from live.topics import event_group, qa_key, stage_key
from tests.live.conftest import right_after_first
from tests.noop import no_write

pytestmark = pytest.mark.django_db


@pytest.fixture
def question(running_event, talk, member):
    return services.question_create(event=running_event, talk=talk, author=member, text="Why?")


def _reads_of(queries, table: str) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if f'FROM "{table}"' in q["sql"]]


def test_question_vote_that_lost_a_race_to_the_same_persons_vote_answers_false(
    question, other_member
):
    """Guards: a vote refused by the one-vote constraint (the same person's other request
    voted first, after this one checked) reported as a vote added."""

    def other_tab_votes():
        QuestionVote.objects.create(question=question, user=other_member)

    with right_after_first("live_questionvote", other_tab_votes):
        added = services.question_vote(question=question, user=other_member)

    assert added is False
    assert QuestionVote.objects.filter(question=question).count() == 1


def test_question_unvote_that_lost_a_race_to_the_same_persons_unvote_answers_false(
    question, other_member
):
    """Guards: taking back a vote that the same person's other request took back first (after
    this one checked) reported as a vote taken back."""
    services.question_vote(question=question, user=other_member)

    def other_tab_unvotes():
        QuestionVote.objects.filter(question=question, user=other_member).delete()

    with right_after_first("live_questionvote", other_tab_unvotes):
        taken_back = services.question_unvote(question=question, user=other_member)

    assert taken_back is False
    assert QuestionVote.objects.filter(question=question).count() == 0


def test_question_unvote_with_a_vote_only_on_another_question_writes_nothing(
    running_event, question, member, other_member
):
    """Guards: "has a vote to take back" checked on any question of the person's, so taking
    back a vote one never cast here would open a write transaction (the write lock)."""
    elsewhere = services.question_create(
        event=running_event, talk=None, author=member, text="Elsewhere?"
    )
    services.question_vote(question=elsewhere, user=other_member)

    with no_write():
        assert services.question_unvote(question=question, user=other_member) is False


def test_question_unvote_when_only_others_voted_writes_nothing(question, member, other_member):
    """Guards: "has a vote to take back" checked on anyone's vote on the question, so taking
    back a vote one never cast would open a write transaction (the write lock)."""
    services.question_vote(question=question, user=other_member)

    with no_write():
        assert services.question_unvote(question=question, user=member) is False


def test_question_unvote_keeps_the_other_peoples_votes(question, member, other_member):
    """Guards: taking back one's vote deleting every vote on the question."""
    services.question_vote(question=question, user=member)
    services.question_vote(question=question, user=other_member)

    assert services.question_unvote(question=question, user=member) is True

    question.refresh_from_db()
    voters = list(QuestionVote.objects.filter(question=question).values_list("user", flat=True))
    assert (voters, question.vote_count) == ([other_member.pk], 1)


def test_question_vote_reads_the_question_with_its_event_in_one_query(question, other_member):
    """Guards: the question's event fetched in a query of its own (twice per vote: before and
    inside the write) instead of with the question."""
    with CaptureQueriesContext(connection) as queries:
        services.question_vote(question=question, user=other_member)

    assert _reads_of(queries, "meetups_event") == []


def test_question_hide_reads_the_question_with_its_event_and_group_in_one_query(
    question, organiser
):
    """Guards: moderation fetching the question's event and group in queries of their own
    (the organiser check needs the group) instead of with the locked question."""
    with CaptureQueriesContext(connection) as queries:
        services.question_hide(question=question, user=organiser)

    assert (_reads_of(queries, "meetups_event"), _reads_of(queries, "meetups_group")) == ([], [])


def _receive(layer, channel):
    async def receive():
        try:
            return await asyncio.wait_for(layer.receive(channel), timeout=0.5)
        except TimeoutError:
            return None

    return async_to_sync(receive)()


def test_question_unpin_re_sends_the_unpinned_questions_qa(
    running_event, talk, question, organiser, django_capture_on_commit_callbacks
):
    """Guards: unpinning sending only the stage, so the talk's Q&A lists on every open page
    would keep marking the question "Now answering" (and the projector's top list would keep
    leaving it out)."""
    services.question_pin(question=question, event=running_event, user=organiser)
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(event_group(running_event.pk), channel)

    with django_capture_on_commit_callbacks(execute=True):
        services.question_pin(question=None, event=running_event, user=organiser)

    keys = []
    while (message := _receive(layer, channel)) is not None:
        keys.append(message["key"])
    assert keys == [stage_key(running_event.pk), qa_key(running_event.pk, talk.pk)]
    assert Question.objects.get(pk=question.pk).status == Question.Status.VISIBLE
