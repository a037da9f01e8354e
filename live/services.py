"""Writes for the Q&A and the live state. Every change broadcasts after commit.

One broadcast per change carries the whole current state of what changed (a Q&A's lists, the
stage, or the counts), rendered once (live/broadcast.py) and fanned out by each process's hub.

Who may do what is `live.rules`; refusals are `portal.errors.ServiceError` (NOT_FOUND for what
the person may not see or run, FORBIDDEN to log in first, INVALID text, CONFLICT when the Q&A's
state does not allow it now).
"""

import logging
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from meetups.models import Event, Talk
from members.rules import taking_part_prefetch
from portal.errors import conflict, forbidden, invalid, not_found
from portal.pagecache import page_cache_bump

from . import broadcast, selectors
from .models import QUESTION_MAX_LENGTH, LiveState, Question, QuestionVote, TalkQASettings
from .rules import (
    can_ask,
    can_moderate,
    can_view_live,
    can_vote,
    is_question_visible,
    qa_refusal,
)

logger = logging.getLogger(__name__)


def _require_moderator(user: AbstractBaseUser, event: Event) -> None:
    if not can_moderate(user, event):
        raise not_found("Not found.")


def _after_commit(func, **kwargs) -> None:
    # Robust: a broadcast that fails (Redis down) is logged; the write stays committed.
    transaction.on_commit(partial(func, **kwargs), robust=True)


def _bump_revision(event_id: int) -> None:
    """Count this change in the event's revision (inside the caller's transaction)."""
    page_cache_bump(event_id=event_id)  # its pages show live mode, the Q&A archive, polls
    if not LiveState.objects.filter(event_id=event_id).update(revision=F("revision") + 1):
        LiveState.objects.get_or_create(event_id=event_id, defaults={"revision": 1})


def _announce_qa(question: Question) -> None:
    _bump_revision(question.event_id)
    _after_commit(broadcast.qa_changed, event_id=question.event_id, talk_id=question.talk_id)


def _announce_stage(event_id: int, *, talk_switched: bool = False) -> None:
    _bump_revision(event_id)
    _after_commit(broadcast.stage_changed, event_id=event_id, talk_switched=talk_switched)


def _announce_question_counts(event_id: int) -> None:
    """Questions asked, answered, waiting: the organiser dashboard shows them beside the
    counts, so a change to them re-sends the counts extras to the dashboards."""
    _after_commit(broadcast.question_counts_changed, event_id=event_id)


def clean_question_text(text: str) -> str:
    """Plain text: trimmed, control characters other than newlines dropped, newlines collapsed."""
    text = "".join(ch for ch in text if ch in "\n\t" or ch.isprintable())
    lines = [line.strip() for line in text.replace("\t", " ").splitlines()]
    return "\n".join(line for line in lines if line).strip()


def question_create(
    *,
    event: Event,
    talk: Talk | None,
    author: AbstractBaseUser,
    text: str,
    is_anonymous: bool = False,
) -> Question:
    """Ask a question in a talk's Q&A (or the event's when `talk` is None).

    Waits in the moderation queue when the event pre-moderates; otherwise shows at once.
    Broadcasts the Q&A after commit.
    """
    if not can_ask(author, event):
        if not can_view_live(author, event):
            raise not_found("No event found.")
        raise forbidden(qa_refusal(author, event) or "Log in to ask a question.")
    if talk is not None and talk.event_id != event.pk:
        raise not_found("No such talk at this event.")
    if selectors.qa_is_read_only(event=event):
        raise conflict("This Q&A is closed: the event is over.")
    text = clean_question_text(text)
    if not text:
        raise invalid("Write a question first.", field="text")
    if len(text) > QUESTION_MAX_LENGTH:
        raise invalid(f"Keep it to {QUESTION_MAX_LENGTH} characters.", field="text")
    with transaction.atomic():
        state = LiveState.objects.filter(event=event).first()
        if state is not None and not state.accepting_questions:
            raise conflict("Questions are paused for now.")
        premoderate = bool(state and state.premoderate)
        if talk is not None:
            # A talk's own setting wins; None (or no row) means "as the event".
            override = (
                TalkQASettings.objects.filter(talk=talk)
                .values_list("premoderate", flat=True)
                .first()
            )
            if override is not None:
                premoderate = override
        question = Question.objects.create(
            event=event,
            talk=talk,
            author=author,
            text=text,
            is_anonymous=is_anonymous,
            status=Question.Status.PENDING if premoderate else Question.Status.VISIBLE,
        )
        _announce_qa(question)
        _announce_question_counts(event.pk)
    return question


def _require_may_vote(question: Question, user: AbstractBaseUser) -> None:
    """The rules of a vote, asked once, of the caller's copy of the question and its event
    (the membership and the policies read as one): FORBIDDEN, told why, when banned or not in
    the Q&A's audience; NOT_FOUND when the question is not in the room; CONFLICT when voting
    on it has closed."""
    if not user.is_authenticated:
        raise forbidden("Log in to vote.")
    taking_part_prefetch(user, question.event)
    if refusal := qa_refusal(user, question):
        raise forbidden(refusal)
    if not can_vote(user, question):
        raise not_found("No such question.")
    _require_votes_open(question)


def _require_votes_open(question: Question) -> None:
    if question.is_answered or selectors.qa_is_read_only(event=question.event):
        raise conflict("Voting on this question has closed.")


def _require_votes_open_now(question: Question, user: AbstractBaseUser) -> None:
    """In the write's transaction: the question's and its event's state as they are now (it
    may have been hidden or answered, the event ended or cancelled, since the caller read it),
    in one read brought onto the caller's copy, and asked again. What concerns the person (a
    ban, the audience) was asked just before, once, as for a poll answer."""
    now = (
        Question.objects.filter(pk=question.pk)
        .values_list("status", "answered_at", "event__status", "event__ends_at")
        .first()
    )
    if now is None:
        raise not_found("No such question.")
    question.status, question.answered_at, question.event.status, question.event.ends_at = now
    if not (is_question_visible(user, question) and can_view_live(user, question)):
        raise not_found("No such question.")
    _require_votes_open(question)


def _add_vote(question: Question, user: AbstractBaseUser) -> bool:
    """In the write's transaction: True if a vote was added (the database's unique constraint
    decides), with the count and the broadcast."""
    try:
        with transaction.atomic():
            QuestionVote.objects.create(question=question, user=user)
    except IntegrityError:
        return False
    Question.objects.filter(pk=question.pk).update(vote_count=F("vote_count") + 1)
    _announce_qa(question)
    return True


def _take_vote_back(question: Question, user: AbstractBaseUser) -> bool:
    """In the write's transaction: True if there was a vote to delete."""
    deleted, _ = QuestionVote.objects.filter(question_id=question.pk, user=user).delete()
    if not deleted:
        return False
    Question.objects.filter(pk=question.pk).update(vote_count=F("vote_count") - 1)
    _announce_qa(question)
    return True


def question_vote(*, question: Question, user: AbstractBaseUser) -> bool:
    """Upvote once; True if a vote was added. Broadcasts the Q&A after commit when the count
    changed. `question` with its event, as the caller read it (`selectors.question_get`)."""
    _require_may_vote(question, user)
    # Voting twice is answered from a read: no write transaction.
    if QuestionVote.objects.filter(question_id=question.pk, user=user).exists():
        return False
    with transaction.atomic():
        _require_votes_open_now(question, user)
        return _add_vote(question, user)


def question_unvote(*, question: Question, user: AbstractBaseUser) -> bool:
    """Take one's vote back; True if there was one. Broadcasts after commit when it changed."""
    _require_may_vote(question, user)
    if not QuestionVote.objects.filter(question_id=question.pk, user=user).exists():
        return False  # no vote to take back: no write transaction
    with transaction.atomic():
        _require_votes_open_now(question, user)
        return _take_vote_back(question, user)


def question_vote_toggle(*, question: Question, user: AbstractBaseUser) -> bool:
    """Vote, or take the vote back if there is one; True when the user now has a vote. A
    toggle always writes, so it asks no question first: the vote is deleted if there is one,
    else added, in one transaction."""
    _require_may_vote(question, user)
    with transaction.atomic():
        _require_votes_open_now(question, user)
        if _take_vote_back(question, user):
            return False
        _add_vote(question, user)  # False only when the same person's other tab voted first
        return True


def _moderate(question: Question, user: AbstractBaseUser, **changes) -> Question:
    with transaction.atomic():
        question = (
            Question.objects.select_for_update().select_related("event__group").get(pk=question.pk)
        )
        _require_moderator(user, question.event)
        for name, value in changes.items():
            setattr(question, name, value)
        question.save(update_fields=list(changes))
        _announce_qa(question)
        _announce_question_counts(question.event_id)
        if question.status != Question.Status.VISIBLE or question.is_answered:
            # A hidden or answered question cannot stay pinned as "now answering".
            unpinned = LiveState.objects.filter(
                event_id=question.event_id, pinned_question=question
            ).update(pinned_question=None)
            if unpinned:
                _announce_stage(question.event_id)
    return question


def question_approve(*, question: Question, user: AbstractBaseUser) -> Question:
    """Let a queued question into the room (organisers). Broadcasts the Q&A."""
    return _moderate(question, user, status=Question.Status.VISIBLE)


def question_hide(*, question: Question, user: AbstractBaseUser) -> Question:
    """Hide a question from the room (organisers); unpins it. Broadcasts the Q&A."""
    return _moderate(question, user, status=Question.Status.HIDDEN)


def question_restore(*, question: Question, user: AbstractBaseUser) -> Question:
    """Show a hidden question again (organisers). Broadcasts the Q&A."""
    return _moderate(question, user, status=Question.Status.VISIBLE)


def question_mark_answered(
    *, question: Question, user: AbstractBaseUser, answered: bool = True
) -> Question:
    """Move a question to the answered list, or back (organisers); unpins it when answered.

    Broadcasts the Q&A (and the stage if it was pinned).
    """
    return _moderate(question, user, answered_at=timezone.now() if answered else None)


def _state_for_update(event: Event) -> LiveState:
    state, _ = LiveState.objects.select_for_update().get_or_create(event=event)
    return state


def question_pin(*, question: Question | None, event: Event, user: AbstractBaseUser) -> LiveState:
    """Pin one visible question as "now answering" (None unpins).

    Broadcasts the stage, and the Q&A of the questions pinned and unpinned (their lists mark
    the pinned one, and the presenter's top list leaves it out).
    """
    with transaction.atomic():
        _require_moderator(user, event)
        if question is not None:
            question = Question.objects.filter(pk=question.pk, event=event).first()
            if question is None:
                raise not_found("No such question.")
            if question.status != Question.Status.VISIBLE:
                raise conflict("Only a visible question can be pinned.")
        state = _state_for_update(event)
        previous = state.pinned_question
        state.pinned_question = question
        state.save(update_fields=["pinned_question", "updated_at"])
        _announce_stage(event.pk)
        scopes = {(q.event_id, q.talk_id): q for q in (previous, question) if q is not None}
        for changed in scopes.values():
            _announce_qa(changed)
    return state


def live_current_talk_set(*, event: Event, talk: Talk | None, user: AbstractBaseUser) -> LiveState:
    """Say which talk is on now (None: between talks); a question pinned from another talk is
    unpinned. Broadcasts the stage, and the new talk's Q&A to the pages that follow the stage
    (presenter, members, dashboard)."""
    with transaction.atomic():
        _require_moderator(user, event)
        if talk is not None and talk.event_id != event.pk:
            raise not_found("No such talk at this event.")
        state = _state_for_update(event)
        state.current_talk = talk
        fields = ["current_talk", "updated_at"]
        pinned = state.pinned_question
        if (
            pinned is not None
            and pinned.talk_id is not None
            and pinned.talk_id != state.current_talk_id
        ):
            # The last talk's question is not "now answering" for the next speaker.
            state.pinned_question = None
            fields.append("pinned_question")
            _announce_qa(pinned)
        state.save(update_fields=fields)
        _announce_stage(event.pk, talk_switched=True)
    return state


def live_settings_update(
    *, event: Event, user: AbstractBaseUser, premoderate: bool, accepting_questions: bool
) -> LiveState:
    """Turn pre-moderation and question taking on or off. Broadcasts the stage.

    Setting what is already set writes nothing (no write transaction) and broadcasts nothing.
    """
    _require_moderator(user, event)
    current = LiveState.objects.filter(event=event).first()
    if current is not None and (current.premoderate, current.accepting_questions) == (
        premoderate,
        accepting_questions,
    ):
        return current
    with transaction.atomic():
        _require_moderator(user, event)
        state = _state_for_update(event)
        state.premoderate = premoderate
        state.accepting_questions = accepting_questions
        state.save(update_fields=["premoderate", "accepting_questions", "updated_at"])
        _announce_stage(event.pk)
    return state


def live_mode_set(*, event: Event, user: AbstractBaseUser, on: bool) -> LiveState:
    """Start or stop live mode: whether the room may ask questions (organisers). The one
    switch behind "Start live mode" / "Stop live mode" on the live page and the dashboard.

    Broadcasts the stage (every open live page shows the Ask form again, or that the live
    Q&A has ended) when it changed.
    """
    _require_moderator(user, event)
    state = selectors.live_state_get(event=event)
    return live_settings_update(
        event=event, user=user, premoderate=state.premoderate, accepting_questions=on
    )


def talk_qa_settings_update(
    *, talk: Talk, user: AbstractBaseUser, premoderate: bool | None
) -> TalkQASettings:
    """Let one talk pre-moderate (True), not (False), or follow its event (None).

    Setting what is already set writes nothing (no write transaction)."""
    _require_moderator(user, talk.event)
    current = TalkQASettings.objects.filter(talk=talk).first()
    if current is not None and current.premoderate == premoderate:
        return current
    with transaction.atomic():
        _require_moderator(user, talk.event)
        settings, _ = TalkQASettings.objects.update_or_create(
            talk=talk, defaults={"premoderate": premoderate}
        )
    return settings
