"""What the mutation run of live/polls.py found untested (docs/testing.md, "Mutation testing"):
the refusals' messages and fields, the bounds of the options and the question, the closing
time, the banned voter told why, the room told when an erased voter's answers leave an open
poll, and the vote's reads.

Each test names the break it guards; each was checked against the mutant it was written for."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from live import polls
from live.models import (
    POLL_MAX_OPTIONS,
    POLL_OPTION_MAX_LENGTH,
    POLL_QUESTION_MAX_LENGTH,
    Poll,
    PollBallot,
)
from meetups.models import Event
from members.models import Membership
from members.services import member_ban
from portal.errors import Kind, ServiceError
from tests.factories import make_event, make_speaker, make_talk, make_user
from tests.live.conftest import run, signed_in
from tests.live.helpers import committed, communicator, live_process, next_frame, ws_path
from tests.races import just_before

pytestmark = pytest.mark.django_db


def _refusal(call, **kwargs) -> tuple:
    with pytest.raises(ServiceError) as refused:
        call(**kwargs)
    error = refused.value
    return (error.kind, error.message, error.field)


def _prepare(event, user, *, talk=None, options=("Yes", "No"), **fields) -> Poll:
    return polls.poll_create(
        event=event, talk=talk, user=user, question="Ready?", options=list(options), **fields
    )


def _opened(event, user, **fields) -> Poll:
    return polls.poll_open(poll=_prepare(event, user, **fields), user=user)


# -- close and reveal --------------------------------------------------------------------------


def test_closing_a_prepared_poll_says_only_an_open_one_closes(running_event, organiser):
    """Breaks: the message of the refusal changed or dropped."""
    poll = _prepare(running_event, organiser)

    assert _refusal(polls.poll_close, poll=poll, user=organiser) == (
        Kind.CONFLICT,
        "Only an open poll can be closed.",
        None,
    )


def test_closing_records_the_moment_it_closed(running_event, organiser):
    """Breaks: `closed_at` not set (the API's `closed_at`, the CSV's and the archive's order)."""
    poll = _opened(running_event, organiser)
    now = timezone.now().replace(microsecond=0)

    with time_machine.travel(now, tick=False):
        polls.poll_close(poll=poll, user=organiser)

    assert Poll.objects.values_list("status", "closed_at").get() == ("closed", now)


def test_revealing_a_deleted_poll_is_no_such_poll(running_event, organiser):
    """Breaks: the message of the refusal changed or dropped."""
    poll = _opened(running_event, organiser, results=Poll.Results.REVEAL)
    Poll.objects.filter(pk=poll.pk).delete()

    assert _refusal(polls.poll_reveal, poll=poll, user=organiser) == (
        Kind.NOT_FOUND,
        "No such poll.",
        None,
    )


def test_revealing_a_prepared_poll_says_to_open_it_first(running_event, organiser):
    """Breaks: the message of the refusal changed or dropped."""
    poll = _prepare(running_event, organiser, results=Poll.Results.REVEAL)

    assert _refusal(polls.poll_reveal, poll=poll, user=organiser) == (
        Kind.CONFLICT,
        "Open the poll before revealing its results.",
        None,
    )


def test_opening_an_open_poll_says_only_a_prepared_one_opens(running_event, organiser):
    """Breaks: the message of the refusal changed or dropped."""
    poll = _opened(running_event, organiser)

    assert _refusal(polls.poll_open, poll=poll, user=organiser) == (
        Kind.CONFLICT,
        "Only a prepared poll can be opened.",
        None,
    )


def test_an_open_event_wide_poll_elsewhere_does_not_block_this_events(
    running_event, group, organiser
):
    """Breaks: the open polls looked for in every event (an event-wide poll open at another
    event of the portal would refuse this one's)."""
    elsewhere = make_event(group=group, starts_in=-timedelta(minutes=30), title="Elsewhere")
    _opened(elsewhere, organiser)

    poll = _opened(running_event, organiser)

    assert Poll.objects.filter(status="open").count() == 2
    assert poll.status == "open"


def test_opening_records_the_moment_it_opened(running_event, organiser):
    """Breaks: `opened_at` not set (the API's `opened_at`, the CSV's and the room's order)."""
    poll = _prepare(running_event, organiser)
    now = timezone.now().replace(microsecond=0)

    with time_machine.travel(now, tick=False):
        polls.poll_open(poll=poll, user=organiser)

    assert Poll.objects.values_list("status", "opened_at").get() == ("open", now)


def test_closing_a_deleted_poll_is_no_such_poll(running_event, organiser):
    """Breaks: the message of the refusal under the lock changed or dropped."""
    poll = _opened(running_event, organiser)
    Poll.objects.filter(pk=poll.pk).delete()

    assert _refusal(polls.poll_close, poll=poll, user=organiser) == (
        Kind.NOT_FOUND,
        "No such poll.",
        None,
    )


def test_a_speaker_opens_and_closes_their_talks_poll_reading_it_once(
    running_event, talk, organiser, django_assert_max_num_queries
):
    """Breaks: the locked poll read without its event and group, or without its talk, which
    the speaker's permission asks about (a query more each time)."""
    speaker_user = make_user(username="speaker")
    talk.speakers.add(make_speaker(user=speaker_user))
    poll = _prepare(running_event, speaker_user, talk=talk)
    poll = Poll.objects.get(pk=poll.pk)  # as a view reads it: nothing related loaded

    with django_assert_max_num_queries(QUERIES_TO_OPEN):
        polls.poll_open(poll=poll, user=speaker_user)
    poll = Poll.objects.get(pk=poll.pk)
    with django_assert_max_num_queries(QUERIES_TO_CLOSE):
        polls.poll_close(poll=poll, user=speaker_user)

    assert Poll.objects.values_list("status", flat=True).get() == "closed"


# At the run (a later rewrite may take fewer; not more).
QUERIES_TO_OPEN = 19
QUERIES_TO_CLOSE = 16


# -- answers -----------------------------------------------------------------------------------


def test_a_banned_member_is_told_why_they_may_not_answer(running_event, organiser, member):
    """Breaks: the ban's message replaced by the general one, or the refusal asked about no one
    or no poll."""
    poll = _opened(running_event, organiser)
    joined = Membership.objects.create(user=member, group=running_event.group)
    member_ban(group=running_event.group, membership_id=joined.pk, user=organiser, reason="Spam")
    yes = poll.options.get(text="Yes").pk

    assert _refusal(polls.poll_vote, poll=poll, user=member, option_ids=[yes]) == (
        Kind.FORBIDDEN,
        f"You have been banned from {running_event.group.name} by its organisers: Spam",
        None,
    )
    assert PollBallot.objects.count() == 0


def test_an_organiser_answering_after_the_event_went_back_to_draft_is_told_it_closed(
    running_event, organiser
):
    """Breaks: who may see the event asked about no one (a draft is seen by its organisers, who
    are told the poll has closed, not that there is no such poll)."""
    poll = _opened(running_event, organiser)
    Event.objects.filter(pk=running_event.pk).update(status=Event.Status.DRAFT)

    assert _refusal(
        polls.poll_vote, poll=poll, user=organiser, option_ids=[poll.options.first().pk]
    ) == (Kind.CONFLICT, "This poll has closed.", None)


def test_no_answer_or_another_polls_answer_is_refused_on_the_options_field(
    running_event, talk, organiser, member
):
    """Breaks: the field of either refusal (the form shows the message by the options)."""
    poll = _opened(running_event, organiser)
    other = _opened(running_event, organiser, talk=talk)
    foreign = other.options.first().pk

    assert [
        _refusal(polls.poll_vote, poll=poll, user=member, option_ids=[]),
        _refusal(polls.poll_vote, poll=poll, user=member, option_ids=[foreign]),
    ] == [
        (Kind.INVALID, "Choose an answer.", "options"),
        (Kind.INVALID, "Choose among this poll's answers.", "options"),
    ]


def test_a_vote_reads_the_poll_its_event_group_and_talk_once(
    running_event, talk, organiser, member, django_assert_max_num_queries
):
    """Breaks: the poll read without its event and group, or without its talk (a query more
    for each, twice per vote)."""
    poll = _opened(running_event, organiser, talk=talk)
    yes = poll.options.get(text="Yes").pk
    polls.poll_vote(poll=poll, user=member, option_ids=[yes])  # the ballot exists: a change

    with django_assert_max_num_queries(QUERIES_PER_CHANGED_VOTE):
        polls.poll_vote(poll=poll, user=member, option_ids=[yes])


# At the run (a later rewrite takes fewer; not more).
QUERIES_PER_CHANGED_VOTE = 12


# -- erasure -----------------------------------------------------------------------------------


def test_erasing_an_open_polls_voter_pushes_the_results_to_the_room(
    running_event, organiser, member
):
    """Breaks: the open polls' events looked up wrongly (none, or as tuples), or the results
    sent for no event: the room would keep counting the erased answer."""
    poll = _opened(running_event, organiser)
    yes = poll.options.get(text="Yes").pk
    polls.poll_vote(poll=poll, user=member, option_ids=[yes])
    polls.poll_vote(poll=poll, user=make_user(username="stays"), option_ids=[yes])
    as_organiser = signed_in(organiser)

    async def body():
        async with live_process():
            public = communicator(ws_path(running_event), client=as_organiser)
            connected, _ = await public.connect(timeout=5)
            assert connected
            before = await next_frame(public)
            erased = await committed(polls.poll_ballots_erase, user=member)
            after = await next_frame(public)
            await public.disconnect()
        return before, erased, after

    before, erased, after = run(body)
    assert erased == 1
    assert (before.count("2 people answered"), after.count("1 person answered")) == (2, 1)
    assert after.count(f'data-votes-for="{yes}">1 · 100%') == 1


def test_erasing_someone_without_answers_deletes_nothing(running_event, organiser, member):
    """Breaks: the count's default when no ballot was deleted (None or 1 for 0)."""
    poll = _opened(running_event, organiser)
    polls.poll_vote(
        poll=poll, user=make_user(username="stays"), option_ids=[poll.options.first().pk]
    )

    assert polls.poll_ballots_erase(user=member) == 0
    assert PollBallot.objects.count() == 1


# -- bounds of what is prepared ----------------------------------------------------------------


def test_exactly_the_most_options_of_the_longest_length_are_kept(running_event, organiser):
    """Breaks: the upper bounds excluded (`<` for `<=`, `>=` for `>`)."""
    options = [f"{n}" + "x" * (POLL_OPTION_MAX_LENGTH - 1) for n in range(1, POLL_MAX_OPTIONS + 1)]

    poll = _prepare(running_event, organiser, options=options)

    assert list(poll.options.values_list("text", flat=True)) == options


@pytest.mark.parametrize(
    "options",
    [["Yes", "  "], ["Only one"], ["Yes", "x" * (POLL_OPTION_MAX_LENGTH + 1)], ["Yes", "YES"]],
)
def test_every_refusal_of_the_options_names_the_options_field(running_event, organiser, options):
    """Breaks: the field of a refusal (the form and the API body put it by the options)."""
    assert _refusal(_prepare, event=running_event, user=organiser, options=options)[::2] == (
        Kind.INVALID,
        "options",
    )


# -- the rewrite (lean vote, one upsert): reviewed at live/polls.py sha1 b6a37903 ----------------


def test_answering_a_prepared_copy_of_a_poll_deleted_since_is_no_such_poll(
    running_event, organiser, member
):
    """Breaks: the message of the refusal when the re-read of a draft copy finds nothing."""
    poll = _prepare(running_event, organiser)
    Poll.objects.filter(pk=poll.pk).delete()

    assert _refusal(polls.poll_vote, poll=poll, user=member, option_ids=[1]) == (
        Kind.NOT_FOUND,
        "No such poll.",
        None,
    )


def test_answering_an_open_copy_of_a_poll_deleted_since_is_no_such_poll(
    running_event, organiser, member
):
    """Breaks: the message of the refusal when the write's re-read finds the poll gone."""
    poll = _opened(running_event, organiser)
    yes = poll.options.get(text="Yes").pk
    Poll.objects.filter(pk=poll.pk).delete()

    assert _refusal(polls.poll_vote, poll=poll, user=member, option_ids=[yes]) == (
        Kind.NOT_FOUND,
        "No such poll.",
        None,
    )
    assert PollBallot.objects.count() == 0


def test_a_member_answering_after_the_event_went_back_to_draft_is_told_no_such_poll(
    running_event, organiser, member
):
    """Breaks: the message of the refusal when the event, read again in the write, is one the
    member may no longer see."""
    poll = _opened(running_event, organiser)
    yes = poll.options.get(text="Yes").pk
    Event.objects.filter(pk=running_event.pk).update(status=Event.Status.DRAFT)

    assert _refusal(polls.poll_vote, poll=poll, user=member, option_ids=[yes]) == (
        Kind.NOT_FOUND,
        "No such poll.",
        None,
    )
    assert PollBallot.objects.count() == 0


def test_an_organiser_answering_a_poll_read_after_its_event_went_to_draft_is_told_it_closed(
    running_event, organiser
):
    """Breaks: who may see the event asked about no one before the write (a draft is its
    organisers' to see: they are told the poll closed, not that there is no such poll)."""
    opened = _opened(running_event, organiser)
    Event.objects.filter(pk=running_event.pk).update(status=Event.Status.DRAFT)
    poll = Poll.objects.select_related("event__group", "talk").get(pk=opened.pk)

    assert _refusal(
        polls.poll_vote, poll=poll, user=organiser, option_ids=[poll.options.first().pk]
    ) == (Kind.CONFLICT, "This poll has closed.", None)


def test_answering_a_closed_poll_is_refused_before_the_write(
    running_event, organiser, member, django_assert_num_queries
):
    """Breaks: the message of the refusal, or the closed poll let through to the write's
    transaction and its re-read (the refusal then costs more queries)."""
    poll = _opened(running_event, organiser)
    poll = polls.poll_close(poll=poll, user=organiser)
    poll = Poll.objects.select_related("event__group", "talk").get(pk=poll.pk)
    yes = poll.options.get(text="Yes").pk

    with django_assert_num_queries(QUERIES_TO_REFUSE_A_CLOSED_POLL):
        refusal = _refusal(polls.poll_vote, poll=poll, user=member, option_ids=[yes])

    assert refusal == (Kind.CONFLICT, "This poll has closed.", None)


# The rules' reads only (who may see and take part: membership and policy as one), no
# transaction.
QUERIES_TO_REFUSE_A_CLOSED_POLL = 1


def test_answering_with_a_copy_read_while_prepared_reads_the_poll_with_its_event_once(
    running_event, talk, organiser, member, django_assert_num_queries
):
    """Breaks: the poll read again (a copy that said draft) without its event and group: the
    rules then read them, a query more each."""
    prepared = _prepare(running_event, organiser, talk=talk)
    yes = prepared.options.get(text="Yes").pk
    polls.poll_open(poll=Poll.objects.get(pk=prepared.pk), user=organiser)
    polls.poll_vote(poll=Poll.objects.get(pk=prepared.pk), user=member, option_ids=[yes])
    copy = Poll.objects.get(pk=prepared.pk)
    copy.status = Poll.Status.DRAFT  # as read before it opened

    with django_assert_num_queries(QUERIES_TO_ANSWER_FROM_A_PREPARED_COPY):
        polls.poll_vote(poll=copy, user=member, option_ids=[yes])


QUERIES_TO_ANSWER_FROM_A_PREPARED_COPY = 9


# -- preparing: the refusals of the question, kind and results ----------------------------------


def test_preparing_a_poll_for_another_events_talk_is_no_such_talk(running_event, group, organiser):
    """Breaks: the message of the refusal (a talk id of another event in the form or API)."""
    elsewhere = make_event(group=group, title="Elsewhere")
    their_talk = make_talk(event=elsewhere, title="Theirs", slug="theirs")

    assert _refusal(_prepare, event=running_event, user=organiser, talk=their_talk) == (
        Kind.NOT_FOUND,
        "No such talk at this event.",
        None,
    )
    assert Poll.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "refusal"),
    [
        ({"question": " \t "}, ("Write the question first.", "question")),
        (
            {"question": "x" * (POLL_QUESTION_MAX_LENGTH + 1)},
            (f"Keep the question to {POLL_QUESTION_MAX_LENGTH} characters.", "question"),
        ),
        ({"kind": "ranked"}, ("Choose one answer or several.", "kind")),
        ({"results": "never"}, ("Choose when the results show.", "results")),
    ],
)
def test_every_refusal_of_a_prepared_poll_says_what_and_where(
    running_event, organiser, fields, refusal
):
    """Breaks: the message or the field of a refusal (the form and the API body put the message
    by its field)."""
    given = {"question": "Ready?", "options": ["Yes", "No"]} | fields

    assert _refusal(polls.poll_create, event=running_event, talk=None, user=organiser, **given) == (
        Kind.INVALID,
        *refusal,
    )
    assert Poll.objects.count() == 0


def test_a_question_of_exactly_the_longest_length_is_kept(running_event, organiser):
    """Breaks: the question's upper bound excluded (`>=` for `>`)."""
    question = "?" + "x" * (POLL_QUESTION_MAX_LENGTH - 1)

    polls.poll_create(
        event=running_event, talk=None, user=organiser, question=question, options=["Yes", "No"]
    )

    assert Poll.objects.values_list("question", flat=True).get() == question


# -- opening while another request opens a poll of the same talk -------------------------------


def test_opening_as_another_poll_of_the_talk_opens_says_to_close_it_first(
    running_event, talk, organiser
):
    """Breaks: the message of the refusal when the database's one-open-poll-per-talk
    constraint, not the check before it, stops the second poll."""
    poll = _prepare(running_event, organiser, talk=talk)
    theirs = _prepare(running_event, organiser, talk=talk, options=("Red", "Blue"))

    def other_request():
        Poll.objects.filter(pk=theirs.pk).update(status="open", opened_at=timezone.now())

    with just_before("UPDATE", other_request, reading=Poll._meta.db_table) as fired:
        refusal = _refusal(polls.poll_open, poll=poll, user=organiser)

    assert fired == [True]
    assert refusal == (Kind.CONFLICT, "Another poll for this talk is open: close it first.", None)
    # Both requests share this test's connection: the refusal rolled back the other's write too.
    assert Poll.objects.values_list("status", "opened_at").get(pk=poll.pk) == ("draft", None)


def test_opening_as_another_event_wide_poll_opens_says_the_whole_event(running_event, organiser):
    """The race of the test above for an event-wide poll: the message names the event, as the
    check before the write does (found by the mutation review: it said "this talk")."""
    poll = _prepare(running_event, organiser)
    theirs = _prepare(running_event, organiser, options=("Red", "Blue"))

    def other_request():
        Poll.objects.filter(pk=theirs.pk).update(status="open", opened_at=timezone.now())

    with just_before("UPDATE", other_request, reading=Poll._meta.db_table):
        refusal = _refusal(polls.poll_open, poll=poll, user=organiser)

    assert refusal == (
        Kind.CONFLICT,
        "Another poll for the whole event is open: close it first.",
        None,
    )
