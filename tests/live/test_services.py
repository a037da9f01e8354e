"""Q&A rules, each in its one place: the services (and the database constraint under votes)."""

import contextlib
from datetime import timedelta

import pytest
from django.db import IntegrityError

from live import services
from live.models import LiveState, Question, QuestionVote
from meetups.models import Event
from portal.errors import Kind, ServiceError
from tests.factories import make_event, make_talk, make_user


@contextlib.contextmanager
def refused(kind: Kind):
    """The block must raise a ServiceError of `kind`; yields pytest's ExceptionInfo."""
    with pytest.raises(ServiceError) as error:
        yield error
    assert error.value.kind == kind


def _ask(event, talk, author, text="A question?", **kwargs) -> Question:
    return services.question_create(event=event, talk=talk, author=author, text=text, **kwargs)


def test_question_create_is_visible_without_premoderation(running_event, talk, member):
    question = _ask(running_event, talk, member)
    assert question.status == Question.Status.VISIBLE
    assert question.talk == talk


def test_question_create_waits_in_queue_with_premoderation(running_event, talk, member):
    LiveState.objects.create(event=running_event, premoderate=True)
    assert _ask(running_event, talk, member).status == Question.Status.PENDING


def test_question_create_keeps_plain_text_trimmed(running_event, member):
    question = _ask(running_event, None, member, text="  <b>Why</b>\x00 \n\n\n  async?  ")
    assert question.text == "<b>Why</b>\nasync?"
    assert question.talk is None


@pytest.mark.parametrize(
    ("text", "message"),
    [(" \n ", "Write a question first."), ("x" * 501, "Keep it to 500 characters.")],
)
def test_question_create_refuses_empty_or_long_text(running_event, member, text, message):
    with refused(Kind.INVALID) as error:
        _ask(running_event, None, member, text=text)
    assert (error.value.message, error.value.field, error.value.status) == (message, "text", 422)
    assert Question.objects.count() == 0


def test_question_text_over_500_is_refused_by_the_database(running_event, member):
    with pytest.raises(IntegrityError):
        Question.objects.create(event=running_event, author=member, text="x" * 501)


def test_question_create_refused_after_the_event(past_event, member):
    with refused(Kind.CONFLICT) as error:
        _ask(past_event, None, member)
    assert (error.value.message, error.value.status) == (
        "This Q&A is closed: the event is over.",
        409,
    )


def test_question_create_refused_while_paused(running_event, member):
    LiveState.objects.create(event=running_event, accepting_questions=False)
    with refused(Kind.CONFLICT) as error:
        _ask(running_event, None, member)
    assert error.value.message == "Questions are paused for now."


def test_question_create_refuses_talk_of_another_event(running_event, group, member):
    other_talk = make_talk(event=make_event(group=group))
    with refused(Kind.NOT_FOUND):
        _ask(running_event, other_talk, member)


def test_question_create_in_a_draft_is_for_its_organisers_only(group, member, organiser):
    draft = make_event(group=group, status=Event.Status.DRAFT, starts_in=-timedelta(hours=1))
    with refused(Kind.NOT_FOUND) as error:
        _ask(draft, None, member)
    assert error.value.message == "No event found."
    # A draft's Q&A is not open (only a published event's is), whoever asks.
    with refused(Kind.CONFLICT):
        _ask(draft, None, organiser)
    assert Question.objects.count() == 0


def test_question_create_by_someone_not_logged_in_is_forbidden(running_event):
    from django.contrib.auth.models import AnonymousUser

    with refused(Kind.FORBIDDEN) as error:
        _ask(running_event, None, AnonymousUser())
    assert (error.value.message, error.value.close_code) == ("Log in to ask a question.", 4403)


def test_vote_counts_once_per_person(running_event, talk, member, other_member):
    question = _ask(running_event, talk, member)
    assert services.question_vote(question=question, user=other_member) is True
    assert services.question_vote(question=question, user=other_member) is False
    assert services.question_vote(question=question, user=member) is True
    question.refresh_from_db()
    assert question.vote_count == 2
    assert QuestionVote.objects.filter(question=question).count() == 2


def test_vote_constraint_holds_without_the_service(running_event, member):
    question = _ask(running_event, None, member)
    QuestionVote.objects.create(question=question, user=member)
    with pytest.raises(IntegrityError):
        QuestionVote.objects.create(question=question, user=member)


def test_unvote_takes_the_vote_back_once(running_event, member, other_member):
    question = _ask(running_event, None, member)
    services.question_vote(question=question, user=other_member)
    assert services.question_unvote(question=question, user=other_member) is True
    assert services.question_unvote(question=question, user=other_member) is False
    question.refresh_from_db()
    assert question.vote_count == 0


def test_vote_toggle_alternates(running_event, member, other_member):
    question = _ask(running_event, None, member)
    toggles = [services.question_vote_toggle(question=question, user=other_member) for _ in "abc"]
    assert toggles == [True, False, True]
    question.refresh_from_db()
    assert question.vote_count == 1


@pytest.mark.parametrize("status", [Question.Status.HIDDEN, Question.Status.PENDING])
def test_vote_on_invisible_question_is_not_found(running_event, member, status):
    question = Question.objects.create(event=running_event, author=member, text="x", status=status)
    with refused(Kind.NOT_FOUND):
        services.question_vote(question=question, user=member)


def test_vote_on_answered_question_is_refused(running_event, member, organiser):
    question = _ask(running_event, None, member)
    services.question_mark_answered(question=question, user=organiser)
    with refused(Kind.CONFLICT) as error:
        services.question_vote(question=question, user=member)
    assert (error.value.message, error.value.status) == ("Voting on this question has closed.", 409)


@pytest.mark.parametrize(
    "moderate",
    [
        services.question_approve,
        services.question_hide,
        services.question_restore,
        services.question_mark_answered,
    ],
)
def test_moderation_is_for_organisers_only(running_event, member, other_member, moderate):
    question = _ask(running_event, None, member)
    with refused(Kind.NOT_FOUND):
        moderate(question=question, user=other_member)
    question.refresh_from_db()
    assert (question.status, question.answered_at) == (Question.Status.VISIBLE, None)


def test_organiser_of_another_group_cannot_moderate(running_event, member):
    stranger = make_user(username="stranger")
    make_event().group.organisers.add(stranger)
    question = _ask(running_event, None, member)
    with refused(Kind.NOT_FOUND):
        services.question_hide(question=question, user=stranger)


def test_hide_restore_and_approve(running_event, member, organiser):
    question = _ask(running_event, None, member)
    assert services.question_hide(question=question, user=organiser).status == "hidden"
    assert services.question_restore(question=question, user=organiser).status == "visible"
    LiveState.objects.filter(event=running_event).update(premoderate=True)
    queued = _ask(running_event, None, member, text="Queued?")
    assert services.question_approve(question=queued, user=organiser).status == "visible"


def test_hiding_the_pinned_question_unpins_it(running_event, member, organiser):
    question = _ask(running_event, None, member)
    services.question_pin(question=question, event=running_event, user=organiser)
    assert LiveState.objects.get(event=running_event).pinned_question == question
    services.question_hide(question=question, user=organiser)
    assert LiveState.objects.get(event=running_event).pinned_question is None


def test_only_a_visible_question_can_be_pinned(running_event, member, organiser):
    question = Question.objects.create(
        event=running_event, author=member, text="x", status=Question.Status.HIDDEN
    )
    with refused(Kind.CONFLICT):
        services.question_pin(question=question, event=running_event, user=organiser)


def test_pinning_is_for_organisers_only(running_event, member):
    question = _ask(running_event, None, member)
    with refused(Kind.NOT_FOUND):
        services.question_pin(question=question, event=running_event, user=member)


def test_current_talk_set_and_cleared(running_event, talk, organiser):
    services.live_current_talk_set(event=running_event, talk=talk, user=organiser)
    assert LiveState.objects.get(event=running_event).current_talk == talk
    services.live_current_talk_set(event=running_event, talk=None, user=organiser)
    assert LiveState.objects.get(event=running_event).current_talk is None


def test_every_change_broadcasts_once_after_commit(
    running_event, talk, member, organiser, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as asked:
        question = _ask(running_event, talk, member)
    with django_capture_on_commit_callbacks() as voted:
        services.question_vote(question=question, user=organiser)
    with django_capture_on_commit_callbacks() as again:
        services.question_vote(question=question, user=organiser)
    with django_capture_on_commit_callbacks() as staged:
        services.live_current_talk_set(event=running_event, talk=talk, user=organiser)
    # Asking also re-sends the counts (the dashboard's "asked"); a vote does not change them.
    # Each change also renews the event's public pages after commit (portal.pagecache): +1.
    assert [len(asked), len(voted), len(again), len(staged)] == [3, 2, 0, 2]


def test_settings_update(running_event, organiser):
    services.live_settings_update(
        event=running_event, user=organiser, premoderate=True, accepting_questions=False
    )
    state = LiveState.objects.get(event=running_event)
    assert (state.premoderate, state.accepting_questions) == (True, False)


def test_qa_read_only_once_event_ends(group, member):
    ended = make_event(group=group, starts_in=-timedelta(hours=3))
    with refused(Kind.CONFLICT):
        _ask(ended, None, member)


@pytest.mark.parametrize(
    ("event_setting", "talk_setting", "status"),
    [
        (False, None, Question.Status.VISIBLE),
        (True, None, Question.Status.PENDING),
        (False, True, Question.Status.PENDING),
        (True, False, Question.Status.VISIBLE),
    ],
)
def test_talk_premoderation_overrides_the_event(
    running_event, talk, member, organiser, event_setting, talk_setting, status
):
    LiveState.objects.create(event=running_event, premoderate=event_setting)
    services.talk_qa_settings_update(talk=talk, user=organiser, premoderate=talk_setting)
    assert _ask(running_event, talk, member).status == status
    # The event-wide Q&A follows the event's setting only.
    expected = Question.Status.PENDING if event_setting else Question.Status.VISIBLE
    assert _ask(running_event, None, member, text="Event-wide").status == expected


def test_talk_settings_are_for_organisers_only(talk, member):
    with refused(Kind.NOT_FOUND):
        services.talk_qa_settings_update(talk=talk, user=member, premoderate=True)


def test_every_change_counts_in_the_event_revision(running_event, talk, member, organiser):
    question = _ask(running_event, talk, member)
    services.question_vote(question=question, user=organiser)
    services.question_vote(question=question, user=organiser)  # no change, no revision
    services.question_pin(question=question, event=running_event, user=organiser)
    # ask, vote, pin (stage + the Q&A that shows the pin)
    assert LiveState.objects.get(event=running_event).revision == 4
