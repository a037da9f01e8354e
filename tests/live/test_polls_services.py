"""Poll services, rules and constraints (live/polls.py, live/rules.py, live/models.py)."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import TestCase

from live import poll_selectors, polls
from live.models import Poll, PollBallot, PollOption
from live.rules import can_answer_poll, can_manage_poll, can_prepare_polls
from meetups.models import Event
from portal.errors import Kind, ServiceError
from tests.factories import make_event, make_speaker, make_user


def prepare(event, user, *, talk=None, options=("Yes", "No"), **fields):
    return polls.poll_create(
        event=event, talk=talk, user=user, question="Ready?", options=list(options), **fields
    )


def opened(event, user, **fields):
    poll = prepare(event, user, **fields)
    return polls.poll_open(poll=poll, user=user)


def refusal(call) -> tuple[str, str | None]:
    with pytest.raises(ServiceError) as caught:
        call()
    return str(caught.value.kind), caught.value.message


# -- rules -------------------------------------------------------------------------------------


def test_manage_rule_is_organisers_and_the_talks_own_speakers(running_event, talk, organiser):
    speaker_user = make_user(username="speaker")
    talk.speakers.add(make_speaker(user=speaker_user))
    other_talk = running_event.talks.get(slug="htmx-in-anger")
    stranger = make_user(username="stranger")
    talk_poll = Poll(event=running_event, talk=talk, question="q")
    other_poll = Poll(event=running_event, talk=other_talk, question="q")
    event_poll = Poll(event=running_event, talk=None, question="q")

    answers = {
        who: (
            can_manage_poll(user, talk_poll),
            can_manage_poll(user, other_poll),
            can_manage_poll(user, event_poll),
            can_prepare_polls(user, running_event),
        )
        for who, user in (
            ("organiser", organiser),
            ("speaker", speaker_user),
            ("stranger", stranger),
        )
    }

    assert answers == {
        "organiser": (True, True, True, True),
        "speaker": (True, False, False, True),
        "stranger": (False, False, False, False),
    }


def test_answer_rule_follows_the_qa_rule(running_event, member, group):
    from django.contrib.auth.models import AnonymousUser

    draft = make_event(group=group, status=Event.Status.DRAFT)

    assert (
        can_answer_poll(member, running_event),
        can_answer_poll(AnonymousUser(), running_event),
        can_answer_poll(member, draft),
    ) == (True, False, False)


# -- prepare -----------------------------------------------------------------------------------


def test_create_cleans_text_and_keeps_option_order(running_event, talk, organiser):
    poll = polls.poll_create(
        event=running_event,
        talk=talk,
        user=organiser,
        question="  Tabs\tor\nspaces?  ",
        options=[" Tabs ", "Spaces", "Both\x00"],
        kind=Poll.Kind.MULTIPLE,
        results=Poll.Results.REVEAL,
    )

    assert (poll.question, poll.status, poll.kind, poll.results, poll.talk) == (
        "Tabs or spaces?",
        "draft",
        "multiple",
        "reveal",
        talk,
    )
    assert list(poll.options.values_list("position", "text")) == [
        (1, "Tabs"),
        (2, "Spaces"),
        (3, "Both"),
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["Only one"], "Give between 2 and 8 options."),
        ([f"Option {n}" for n in range(9)], "Give between 2 and 8 options."),
        (["Yes", "  "], "An option cannot be blank."),
        (["Yes", "YES"], "Two options are the same."),
        (["Yes", "x" * 101], "Keep each option to 100 characters."),
    ],
)
def test_create_refuses_bad_options(running_event, organiser, options, message):
    assert refusal(lambda: prepare(running_event, organiser, options=options)) == (
        "invalid",
        message,
    )
    assert Poll.objects.count() == 0


def test_create_refuses_a_long_or_blank_question(running_event, organiser):
    too_long = lambda: polls.poll_create(  # noqa: E731
        event=running_event, talk=None, user=organiser, question="x" * 201, options=["a", "b"]
    )
    blank = lambda: polls.poll_create(  # noqa: E731
        event=running_event, talk=None, user=organiser, question=" \n ", options=["a", "b"]
    )

    assert refusal(too_long) == ("invalid", "Keep the question to 200 characters.")
    assert refusal(blank) == ("invalid", "Write the question first.")


def test_a_speaker_prepares_for_their_talk_only(running_event, talk):
    speaker_user = make_user(username="speaker")
    talk.speakers.add(make_speaker(user=speaker_user))
    other_talk = running_event.talks.get(slug="htmx-in-anger")

    mine = prepare(running_event, speaker_user, talk=talk)

    assert mine.created_by == speaker_user
    assert refusal(lambda: prepare(running_event, speaker_user, talk=other_talk))[0] == "not_found"
    assert refusal(lambda: prepare(running_event, speaker_user, talk=None))[0] == "not_found"
    assert Poll.objects.count() == 1


def test_a_member_cannot_prepare(running_event, member):
    assert refusal(lambda: prepare(running_event, member)) == ("not_found", "No such poll.")


# -- open, close, reveal -----------------------------------------------------------------------


def test_one_open_poll_per_talk_and_one_event_wide(running_event, talk, organiser):
    first = opened(running_event, organiser, talk=talk)
    second = prepare(running_event, organiser, talk=talk)
    other_talk_poll = prepare(
        running_event, organiser, talk=running_event.talks.get(slug="htmx-in-anger")
    )
    event_wide = opened(running_event, organiser)
    event_wide_2 = prepare(running_event, organiser)

    assert refusal(lambda: polls.poll_open(poll=second, user=organiser)) == (
        "conflict",
        "Another poll for this talk is open: close it first.",
    )
    assert refusal(lambda: polls.poll_open(poll=event_wide_2, user=organiser)) == (
        "conflict",
        "Another poll for the whole event is open: close it first.",
    )
    polls.poll_open(poll=other_talk_poll, user=organiser)
    polls.poll_close(poll=first, user=organiser)
    polls.poll_open(poll=second, user=organiser)

    assert dict(Poll.objects.values_list("pk", "status")) == {
        first.pk: "closed", second.pk: "open", other_talk_poll.pk: "open",
        event_wide.pk: "open", event_wide_2.pk: "draft",
    }  # fmt: skip


def test_the_database_allows_one_open_poll_per_talk(running_event, talk, organiser):
    opened(running_event, organiser, talk=talk)
    other = prepare(running_event, organiser, talk=talk)

    with pytest.raises(IntegrityError), transaction.atomic():
        Poll.objects.filter(pk=other.pk).update(status=Poll.Status.OPEN)


def test_the_database_allows_one_open_event_wide_poll(running_event, organiser):
    opened(running_event, organiser)
    other = prepare(running_event, organiser)

    with pytest.raises(IntegrityError), transaction.atomic():
        Poll.objects.filter(pk=other.pk).update(status=Poll.Status.OPEN)


def test_the_database_allows_one_ballot_per_person(running_event, organiser, member):
    poll = opened(running_event, organiser)
    PollBallot.objects.create(poll=poll, user=member)

    with pytest.raises(IntegrityError), transaction.atomic():
        PollBallot.objects.create(poll=poll, user=member)


def test_the_database_refuses_two_options_alike(running_event, organiser):
    poll = prepare(running_event, organiser)

    with pytest.raises(IntegrityError), transaction.atomic():
        PollOption.objects.create(poll=poll, text="Yes", position=9)


def test_a_poll_cannot_open_after_the_event(group, organiser):
    past = make_event(group=group, starts_in=-timedelta(days=2))
    poll = prepare(past, organiser)

    assert refusal(lambda: polls.poll_open(poll=poll, user=organiser)) == (
        "conflict",
        "The event is over: polls can no longer open.",
    )


def test_state_changes_in_order_only(running_event, organiser):
    poll = prepare(running_event, organiser, results=Poll.Results.REVEAL)

    assert refusal(lambda: polls.poll_close(poll=poll, user=organiser))[0] == "conflict"
    assert refusal(lambda: polls.poll_reveal(poll=poll, user=organiser))[0] == "conflict"
    polls.poll_open(poll=poll, user=organiser)
    assert refusal(lambda: polls.poll_open(poll=poll, user=organiser))[0] == "conflict"
    polls.poll_reveal(poll=poll, user=organiser)
    poll.refresh_from_db()
    assert (poll.status, poll.revealed_at is not None, poll.results_public) == ("open", True, True)


def test_open_close_reveal_broadcast_after_commit_only_when_changed(running_event, organiser):
    poll = prepare(running_event, organiser, results=Poll.Results.LIVE)
    with TestCase.captureOnCommitCallbacks() as opening:
        polls.poll_open(poll=poll, user=organiser)
    with TestCase.captureOnCommitCallbacks() as revealing:
        polls.poll_reveal(poll=poll, user=organiser)  # shown while voting: nothing to reveal

    # Opening: its broadcast, and the event's public pages renewed (portal.pagecache).
    assert (len(opening), len(revealing)) == (2, 0)


# -- answers -----------------------------------------------------------------------------------


def option_ids(poll, *texts):
    return [poll.options.get(text=t).pk for t in texts]


def test_a_vote_can_change_until_close_and_counts_freeze(running_event, organiser, member):
    poll = opened(running_event, organiser, options=("Yes", "No", "Maybe"))
    other = make_user(username="other-voter")

    polls.poll_vote(poll=poll, user=member, option_ids=option_ids(poll, "Yes"))
    polls.poll_vote(poll=poll, user=other, option_ids=option_ids(poll, "No"))
    polls.poll_vote(poll=poll, user=member, option_ids=option_ids(poll, "Maybe"))
    polls.poll_close(poll=poll, user=organiser)

    assert PollBallot.objects.count() == 2
    assert refusal(
        lambda: polls.poll_vote(poll=poll, user=member, option_ids=option_ids(poll, "Yes"))
    ) == ("conflict", "This poll has closed.")
    [result] = poll_selectors.attach_results([poll_selectors.poll_get(poll_id=poll.pk)])
    assert result.ballot_count == 2
    assert [(o.text, o.votes, o.percent) for o in result.options.all()] == [
        ("Yes", 0, 0),
        ("No", 1, 50),
        ("Maybe", 1, 50),
    ]


def test_single_choice_takes_one_and_multiple_several(running_event, talk, organiser, member):
    single = opened(running_event, organiser)
    multiple = opened(running_event, organiser, talk=talk, kind=Poll.Kind.MULTIPLE)

    two = option_ids(single, "Yes", "No")
    assert refusal(lambda: polls.poll_vote(poll=single, user=member, option_ids=two)) == (
        "invalid",
        "Choose one answer.",
    )
    assert refusal(lambda: polls.poll_vote(poll=single, user=member, option_ids=[])) == (
        "invalid",
        "Choose an answer.",
    )
    foreign = option_ids(multiple, "Yes")
    assert refusal(lambda: polls.poll_vote(poll=single, user=member, option_ids=foreign)) == (
        "invalid",
        "Choose among this poll's answers.",
    )
    ballot = polls.poll_vote(
        poll=multiple, user=member, option_ids=option_ids(multiple, "Yes", "No")
    )
    assert sorted(ballot.options.values_list("text", flat=True)) == ["No", "Yes"]
    assert PollBallot.objects.filter(poll=single).count() == 0


def test_a_draft_takes_no_answers_and_anonymous_must_log_in(running_event, organiser, member):
    from django.contrib.auth.models import AnonymousUser

    draft = prepare(running_event, organiser)
    poll = opened(running_event, organiser, talk=running_event.talks.first())

    assert refusal(
        lambda: polls.poll_vote(poll=draft, user=member, option_ids=option_ids(draft, "Yes"))
    ) == ("not_found", "No such poll.")
    assert refusal(
        lambda: polls.poll_vote(poll=poll, user=AnonymousUser(), option_ids=option_ids(poll, "Yes"))
    ) == ("forbidden", "Log in to answer the poll.")
    assert PollBallot.objects.count() == 0


def test_erasing_ballots_keeps_closed_counts(running_event, talk, organiser, member):
    closed_poll = opened(running_event, organiser, talk=talk)
    open_poll = opened(running_event, organiser)
    polls.poll_vote(poll=closed_poll, user=member, option_ids=option_ids(closed_poll, "Yes"))
    polls.poll_vote(poll=open_poll, user=member, option_ids=option_ids(open_poll, "No"))
    polls.poll_close(poll=closed_poll, user=organiser)

    assert polls.poll_ballots_erase(user=member) == 2

    results = {
        p.pk: (p.ballot_count, [o.votes for o in p.options.all()])
        for p in poll_selectors.room_polls(event_id=running_event.pk)
    }
    assert PollBallot.objects.count() == 0
    assert results == {closed_poll.pk: (1, [1, 0]), open_poll.pk: (0, [0, 0])}


def test_kind_of_refusals_are_the_shared_kinds():
    assert {k.value for k in Kind} >= {"invalid", "not_found", "conflict", "forbidden"}
