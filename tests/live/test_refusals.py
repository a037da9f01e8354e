"""Every refusal of the Q&A services, exactly (kind, message, field), and the edges of what the
writes store. Mutation testing (docs/testing.md) found these untested: a blanked message, a
vote counted by the wrong key, a length check off by one, a pin left on an answered question all
passed every test.
"""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from live import services
from live.models import QUESTION_MAX_LENGTH, LiveState, Question, QuestionVote
from portal.errors import Kind, ServiceError
from tests.factories import make_event, make_talk, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(running_event, talk, organiser, member, other_member):
    question = services.question_create(
        event=running_event, talk=None, author=other_member, text="Is it recorded?"
    )
    return {"event": running_event, "talk": talk, "organiser": organiser, "member": member,
            "question": question}  # fmt: skip


def _ask(w, text="Why?", **kwargs):
    kwargs.setdefault("talk", None)
    return services.question_create(event=w["event"], author=w["member"], text=text, **kwargs)


def _answered(w) -> Question:
    return services.question_mark_answered(question=w["question"], user=w["organiser"])


def _other_events_talk(w):
    return make_talk(event=make_event(group=w["event"].group))


REFUSALS = {
    "asking about another event's talk": (
        lambda w: _ask(w, talk=_other_events_talk(w)),
        Kind.NOT_FOUND, "No such talk at this event.", None,
    ),
    "asking nothing": (
        lambda w: _ask(w, text=" \n\t\x00 "),
        Kind.INVALID, "Write a question first.", "text",
    ),
    "asking one character too much": (
        lambda w: _ask(w, text="x" * (QUESTION_MAX_LENGTH + 1)),
        Kind.INVALID, f"Keep it to {QUESTION_MAX_LENGTH} characters.", "text",
    ),
    "asking while questions are paused": (
        lambda w: (
            LiveState.objects.filter(event=w["event"]).update(accepting_questions=False),
            _ask(w),
        ),
        Kind.CONFLICT, "Questions are paused for now.", None,
    ),
    "voting without logging in": (
        lambda w: services.question_vote(question=w["question"], user=AnonymousUser()),
        Kind.FORBIDDEN, "Log in to vote.", None,
    ),
    "taking back a vote without logging in": (
        lambda w: services.question_unvote(question=w["question"], user=AnonymousUser()),
        Kind.FORBIDDEN, "Log in to vote.", None,
    ),
    "voting on a hidden question": (
        lambda w: services.question_vote(
            question=services.question_hide(question=w["question"], user=w["organiser"]),
            user=w["member"],
        ),
        Kind.NOT_FOUND, "No such question.", None,
    ),
    "voting on an answered question": (
        lambda w: services.question_vote(question=_answered(w), user=w["member"]),
        Kind.CONFLICT, "Voting on this question has closed.", None,
    ),
    "moderating without organising": (
        lambda w: services.question_hide(question=w["question"], user=w["member"]),
        Kind.NOT_FOUND, "Not found.", None,
    ),
    "pinning another event's question": (
        lambda w: services.question_pin(
            question=w["question"],
            event=make_event(group=w["event"].group, starts_in=-timedelta(hours=1)),
            user=w["organiser"],
        ),
        Kind.NOT_FOUND, "No such question.", None,
    ),
    "pinning a hidden question": (
        lambda w: services.question_pin(
            question=services.question_hide(question=w["question"], user=w["organiser"]),
            event=w["event"],
            user=w["organiser"],
        ),
        Kind.CONFLICT, "Only a visible question can be pinned.", None,
    ),
    "putting another event's talk on stage": (
        lambda w: services.live_current_talk_set(
            event=w["event"], talk=_other_events_talk(w), user=w["organiser"]
        ),
        Kind.NOT_FOUND, "No such talk at this event.", None,
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(REFUSALS))
def test_live_refusal_is_exact(w, case):
    attempt, kind, message, field = REFUSALS[case]

    with pytest.raises(ServiceError) as refused:
        attempt(w)

    assert (refused.value.kind, refused.value.message, refused.value.field) == (
        kind,
        message,
        field,
    )


# --- what the writes store ------------------------------------------------------------------


def test_a_question_of_exactly_the_longest_length_is_taken(w):
    question = _ask(w, text="x" * QUESTION_MAX_LENGTH)

    assert len(question.text) == QUESTION_MAX_LENGTH


def test_a_question_is_signed_unless_asked_anonymously(w):
    signed = _ask(w, text="Signed?")
    anonymous = _ask(w, text="Who asks?", is_anonymous=True)

    assert (signed.is_anonymous, anonymous.is_anonymous) == (False, True)


def test_question_text_keeps_its_lines_and_turns_tabs_into_spaces(w):
    question = _ask(w, text="First\tline \x07\n\n  second\tline  ")

    assert question.text == "First line\nsecond line"


def test_votes_count_per_question_and_per_member(w):
    other = _ask(w, text="Another?")
    someone = make_user()
    services.question_vote(question=w["question"], user=someone)

    assert services.question_vote(question=other, user=w["member"]) is True
    assert services.question_vote(question=w["question"], user=w["member"]) is True
    assert services.question_unvote(question=other, user=w["member"]) is True
    assert services.question_unvote(question=other, user=w["member"]) is False
    assert services.question_vote_toggle(question=other, user=w["member"]) is True

    votes = sorted(QuestionVote.objects.values_list("question", "user"))
    assert votes == sorted(
        [(w["question"].pk, someone.pk), (w["question"].pk, w["member"].pk),
         (other.pk, w["member"].pk)]
    )  # fmt: skip
    counts = dict(Question.objects.values_list("pk", "vote_count"))
    assert (counts[w["question"].pk], counts[other.pk]) == (2, 1)


def test_taking_back_a_vote_one_never_gave_leaves_the_others(w):
    someone = make_user()
    services.question_vote(question=w["question"], user=someone)

    assert services.question_unvote(question=w["question"], user=w["member"]) is False
    assert services.question_vote_toggle(question=w["question"], user=w["member"]) is True

    voters = sorted(QuestionVote.objects.values_list("user", flat=True))
    assert voters == sorted([someone.pk, w["member"].pk])


def test_marking_answered_records_when_and_unpins_only_that_question(w):
    other_event = make_event(group=w["event"].group, starts_in=-timedelta(hours=1))
    elsewhere = services.question_create(
        event=other_event, talk=None, author=w["member"], text="Elsewhere?"
    )
    services.question_pin(question=elsewhere, event=other_event, user=w["organiser"])
    services.question_pin(question=w["question"], event=w["event"], user=w["organiser"])
    at = timezone.now().replace(microsecond=0)

    with time_machine.travel(at, tick=False):
        services.question_mark_answered(question=w["question"], user=w["organiser"])

    w["question"].refresh_from_db()
    assert w["question"].answered_at == at
    pins = dict(LiveState.objects.values_list("event", "pinned_question"))
    assert pins == {w["event"].pk: None, other_event.pk: elsewhere.pk}


def test_reopening_an_answered_question_clears_its_answer(w):
    _answered(w)

    services.question_mark_answered(question=w["question"], user=w["organiser"], answered=False)

    w["question"].refresh_from_db()
    assert w["question"].answered_at is None


def test_pinning_another_question_moves_the_pin_and_announces_both(w):
    other = _ask(w, text="Second?")
    services.question_pin(question=w["question"], event=w["event"], user=w["organiser"])

    state = services.question_pin(question=other, event=w["event"], user=w["organiser"])

    assert (state.pinned_question, LiveState.objects.get(event=w["event"]).pinned_question) == (
        other,
        other,
    )


def test_a_broadcast_failing_after_commit_is_logged_and_the_write_stands(
    w, django_capture_on_commit_callbacks, caplog
):
    """Broadcasts run after commit and may fail (Redis down; here the event is gone by the time
    the broadcast reads it). Guards against them being registered without `robust=True`: the
    failure would reach the person whose question, vote or moderation was already saved."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.question_hide(question=w["question"], user=w["organiser"])
        w["event"].delete()

    # The Q&A, the counts (the dashboard's question counts), and the public pages' version.
    assert len(callbacks) == 3
    assert caplog.text.count("Error calling functools.partial(<function qa_changed") == 1
