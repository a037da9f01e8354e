"""Polls in "your data" (portal.personal_data) and in the demo data (live/demo.py)."""

from django.utils import timezone

from live import polls
from live.models import Poll, PollBallot
from meetups.demo import load_demo
from portal.personal_data import account_erasing, personal_data_requested


def _section(user, name):
    answers = dict(result for _, result in personal_data_requested.send(sender=None, user=user))
    return answers[name]


def test_export_lists_the_persons_answers(running_event, talk, organiser, member):
    poll = polls.poll_create(
        event=running_event, talk=talk, user=organiser, question="Which?",
        options=["A", "B", "C"], kind=Poll.Kind.MULTIPLE,
    )  # fmt: skip
    polls.poll_open(poll=poll, user=organiser)
    polls.poll_vote(
        poll=poll, user=member, option_ids=[o.pk for o in poll.options.exclude(text="B")]
    )

    [answer] = _section(member, "poll_answers")

    assert {k: answer[k] for k in ("event", "talk", "poll", "answers")} == {
        "event": "SyDjango Live", "talk": "Async Django", "poll": "Which?", "answers": ["A", "C"],
    }  # fmt: skip
    assert _section(organiser, "poll_answers") == []


def test_erasure_deletes_ballots_and_closed_polls_keep_counts(
    running_event, talk, organiser, member
):
    poll = polls.poll_create(
        event=running_event, talk=talk, user=organiser, question="Q", options=["A", "B"]
    )
    polls.poll_open(poll=poll, user=organiser)
    polls.poll_vote(poll=poll, user=member, option_ids=[poll.options.get(text="B").pk])
    polls.poll_vote(poll=poll, user=organiser, option_ids=[poll.options.get(text="B").pk])
    polls.poll_close(poll=poll, user=organiser)

    account_erasing.send(sender=None, user=member)

    assert list(PollBallot.objects.values_list("user__username", flat=True)) == ["organiser"]
    assert list(poll.options.values_list("text", "final_votes")) == [("A", 0), ("B", 2)]


def test_demo_has_a_closed_poll_with_answers_on_a_past_talk(db):
    load_demo()
    load_demo()

    [poll] = Poll.objects.all()
    assert (poll.status, poll.talk.title, poll.final_ballots) == (
        "closed",
        "Concurrency in Python and Django",
        2,
    )
    assert poll.event.ends_at < timezone.now()  # a past talk
    assert list(poll.options.values_list("text", "final_votes")) == [
        ("Threads", 1), ("Processes", 0), ("Async views and asyncio", 1), ("Greenlets (gevent)", 0)
    ]  # fmt: skip
    assert PollBallot.objects.count() == 2
