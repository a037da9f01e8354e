"""Reads for the live page, the presenter view, the socket, broadcasts and the talk page's Q&A
archive. What a person may not see answers NOT_FOUND (`portal.errors`) on every route."""

from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from meetups.models import Event, Group, Talk
from meetups.rules import can_view_event
from portal.errors import not_found
from portal.rawsql import Columns, PreparedValues, all_rows, one_row

from .models import LiveState, Question, QuestionVote, TalkQASettings

SORTS = ("top", "new")


@dataclass
class QAState:
    """One Q&A (a talk's, or the event's as a whole), split the way the page shows it."""

    open: list[Question] = field(default_factory=list)
    answered: list[Question] = field(default_factory=list)
    queue: list[Question] = field(default_factory=list)
    hidden: list[Question] = field(default_factory=list)


def _viewable(event: Event | None, user) -> Event:
    if event is None or not can_view_event(user, event):
        raise not_found("No event found.")
    return event


def event_get_live(*, slug: str, user) -> Event:
    """The event of a live page, with its talks, if `user` may see it (published or
    cancelled, or a draft its organisers see: `meetups.rules.can_view_event`)."""
    events = Event.objects.select_related("group").prefetch_related("talks")
    return _viewable(events.filter(slug=slug).first(), user)


def event_get_live_by_id(*, event_id: int, user) -> Event:
    """The event of a live socket, by the same rule as `event_get_live`."""
    return _viewable(Event.objects.select_related("group").filter(pk=event_id).first(), user)


def event_is_running(*, event: Event, now=None) -> bool:
    now = now or timezone.now()
    return event.status == Event.Status.PUBLISHED and event.starts_at <= now < event.ends_at


def qa_is_read_only(*, event: Event, now=None) -> bool:
    """After the event (or once cancelled) its Q&A is an archive."""
    now = now or timezone.now()
    return event.status != Event.Status.PUBLISHED or event.ends_at <= now


def live_state_get(*, event: Event) -> LiveState:
    """The event's live state with its current talk and pinned question (unsaved default)."""
    state = (
        LiveState.objects.select_related("current_talk", "pinned_question__author")
        .filter(event=event)
        .first()
    )
    return state or LiveState(event=event)


def live_mode_on(*, event: Event, state: LiveState | None = None, now=None) -> bool:
    """Whether the room is live: taking questions, the event not over, and either running or
    started early by an organiser ("Start live mode" saves the event's live state)."""
    if qa_is_read_only(event=event, now=now):
        return False
    state = state if state is not None else live_state_get(event=event)
    if not state.accepting_questions:
        return False
    return state.pk is not None or event_is_running(event=event, now=now)


class Room(NamedTuple):
    """The room's live state as broadcasts need it: no talk or question loaded."""

    revision: int  # how many changes the room has seen
    pinned_question_id: int | None
    current_talk_id: int | None


# Read once per broadcast (every vote in a busy room): compiled once (portal.rawsql).
_ROOM = PreparedValues(
    lambda event_id: LiveState.objects.filter(event_id=event_id).values(*Room._fields)
)


def live_room(*, event_id: int) -> Room:
    """The room's revision, pinned question and talk on stage, in one statement. Read before
    rendering, so a frame's data is at least as new as its revision."""
    row = _ROOM.first(event_id)
    return Room(**row) if row else Room(revision=0, pinned_question_id=None, current_talk_id=None)


def live_revision(*, event_id: int) -> int:
    """How many changes the room has seen; read before rendering, so a frame's data is at
    least as new as its revision."""
    return live_room(event_id=event_id).revision


def talk_premoderate(*, talk: Talk) -> bool | None:
    """The talk's own pre-moderation choice; None when it follows its event."""
    return TalkQASettings.objects.filter(talk=talk).values_list("premoderate", flat=True).first()


def talk_for_scope(*, event: Event, talk_slug: str | None) -> Talk | None:
    """The talk a `?qa=` value names within this event; None for the event-wide Q&A."""
    if not talk_slug or talk_slug == "event":
        return None
    for talk in event.talks.all():
        if talk.slug == talk_slug:
            return talk
    raise not_found("No such talk at this event.")


def talk_is_at_event(*, event: Event, talk_id: int) -> bool:
    return Talk.objects.filter(pk=talk_id, event=event).exists()


def question_get(*, question_id: int, event: Event | None = None) -> Question:
    """One question (of `event`, when given) with its event; NOT_FOUND otherwise."""
    questions = Question.objects.select_related("event__group").filter(pk=question_id)
    question = questions.filter(event=event).first() if event else questions.first()
    if question is None:
        raise not_found("No such question.")
    return question


@cache
def _vote_statement() -> tuple[Columns, Columns, Columns, str]:
    """A question with its event and group, by the question's id and the event's slug. Written
    out, as the poll's (`live.poll_selectors.poll_for_ballot`): every upvote starts with it,
    and the ORM took longer to build the join than the database to answer it."""
    quote = connection.ops.quote_name
    question, event, group = Columns(Question, "q"), Columns(Event, "e"), Columns(Group, "g")
    sql = (
        f"SELECT {question.sql}, {event.sql}, {group.sql} "  # noqa: S608
        f"FROM {quote(Question._meta.db_table)} q "
        f"INNER JOIN {quote(Event._meta.db_table)} e ON e.{quote('id')} = q.{quote('event_id')} "
        f"INNER JOIN {quote(Group._meta.db_table)} g ON g.{quote('id')} = e.{quote('group_id')} "
        f"WHERE q.{quote('id')} = %s AND e.{quote('slug')} = %s"
    )
    return question, event, group, sql


def question_for_vote(*, slug: str, question_id: int, user) -> Question:
    """A question of the live event `slug`, with its event and group, in one statement;
    NOT_FOUND unless `user` may see the event (`event_get_live`'s rule). A vote needs no
    talks."""
    question_columns, event_columns, group_columns, sql = _vote_statement()
    values = one_row(sql, [question_id, slug], question_columns, event_columns, group_columns)
    if values is None:
        raise not_found("No such question.")
    question = question_columns.instance(values[0])
    question.event = event_columns.instance(values[1])
    question.event.group = group_columns.instance(values[2])
    _viewable(question.event, user)
    return question


def _sorted(questions: list[Question], sort: str) -> list[Question]:
    if sort == "new":
        return sorted(questions, key=lambda q: (q.created_at, q.pk), reverse=True)
    # Most votes first; among equals, who asked first.
    return sorted(questions, key=lambda q: (-q.vote_count, q.created_at, q.pk))


@cache
def _broadcast_statements() -> tuple[Columns, Columns, Columns, Columns, dict[str, str]]:
    """What every Q&A broadcast reads besides the room: the event, the talk, and the Q&A's
    questions with their authors in `Question`'s order (`Meta.ordering`). Written out: in a busy
    room every vote causes a broadcast, and the ORM took longer to build these than the
    database to answer them (docs/benchmarks.md, "A Q&A upvote that asks once")."""
    quote = connection.ops.quote_name
    event, talk = Columns(Event, "e"), Columns(Talk, "t")
    question, author = Columns(Question, "q"), Columns(get_user_model(), "u")
    questions = (
        f"SELECT {question.sql}, {author.sql} FROM {quote(Question._meta.db_table)} q "  # noqa: S608
        f"INNER JOIN {quote(author.model._meta.db_table)} u "
        f"ON u.{quote('id')} = q.{quote('author_id')} WHERE q.{quote('event_id')} = %s AND "
    )
    order = (
        f" ORDER BY q.{quote('vote_count')} DESC, q.{quote('created_at')} DESC, "
        f"q.{quote('id')} DESC"
    )
    statements = {
        "event": f"SELECT {event.sql} FROM {quote(Event._meta.db_table)} e "  # noqa: S608
        f"WHERE e.{quote('id')} = %s",
        "talk": f"SELECT {talk.sql} FROM {quote(Talk._meta.db_table)} t "  # noqa: S608
        f"WHERE t.{quote('id')} = %s AND t.{quote('event_id')} = %s",
        "talk questions": f"{questions}q.{quote('talk_id')} = %s{order}",
        "event questions": f"{questions}q.{quote('talk_id')} IS NULL{order}",
    }
    return event, talk, question, author, statements


def event_for_broadcast(*, event_id: int) -> Event:
    """The event alone, by its id (no group: a broadcast's frames do not show it); raises
    `Event.DoesNotExist`, as `get` does, when it is gone."""
    event, _, _, _, statements = _broadcast_statements()
    values = one_row(statements["event"], [event_id], event)
    if values is None:
        raise Event.DoesNotExist(f"no event {event_id}")
    return event.instance(values[0])


def talk_of_event(*, event: Event, talk_id: int) -> Talk | None:
    """The talk `talk_id` if it is one of `event`'s."""
    _, talk, _, _, statements = _broadcast_statements()
    values = one_row(statements["talk"], [talk_id, event.pk], talk)
    return None if values is None else talk.instance(values[0])


def qa_questions(*, event_id: int, talk_id: int | None) -> list[Question]:
    """Every question of one Q&A with its author, in one query, most votes first."""
    _, _, question_columns, author_columns, statements = _broadcast_statements()
    if talk_id is None:
        rows = all_rows(statements["event questions"], [event_id], question_columns, author_columns)
    else:
        params = [event_id, talk_id]
        rows = all_rows(statements["talk questions"], params, question_columns, author_columns)
    questions = []
    for question_values, author_values in rows:
        question = question_columns.instance(question_values)
        question.author = author_columns.instance(author_values)
        questions.append(question)
    return questions


def qa_state(*, questions: list[Question], sort: str = "top") -> QAState:
    """Split one Q&A's questions into the page's lists (no queries)."""
    state = QAState()
    for question in questions:
        if question.status == Question.Status.PENDING:
            state.queue.append(question)
        elif question.status == Question.Status.HIDDEN:
            state.hidden.append(question)
        elif question.is_answered:
            state.answered.append(question)
        else:
            state.open.append(question)
    state.open = _sorted(state.open, sort)
    state.answered.sort(key=lambda q: q.answered_at, reverse=True)
    state.queue.sort(key=lambda q: (q.created_at, q.pk))
    state.hidden.sort(key=lambda q: (q.created_at, q.pk), reverse=True)
    return state


def qa_visible_for_talk(*, talk: Talk) -> QuerySet[Question]:
    """The read-only archive on a talk page: visible questions, most votes first."""
    return (
        Question.objects.visible()
        .filter(talk=talk)
        .select_related("author")
        .order_by("-vote_count", "created_at", "pk")
    )


def question_ids_voted(*, user, event_id: int) -> set[int]:
    """Which questions of this event `user` has upvoted (for the buttons' pressed state)."""
    if not user.is_authenticated:
        return set()
    return set(
        QuestionVote.objects.filter(user=user, question__event_id=event_id).values_list(
            "question_id", flat=True
        )
    )
