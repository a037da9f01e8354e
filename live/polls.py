"""Writes for polls: prepare, open, close, reveal, answer; each broadcasts after commit.

Who may do what is `live.rules` (`can_manage_poll`, `can_answer_poll`); refusals are
`portal.errors.ServiceError`, as for the Q&A: NOT_FOUND for what the person may not see or
run, FORBIDDEN to log in first, INVALID content, CONFLICT when the poll's state does not allow
it now (not open, another poll open in the same talk, the event over).

One open poll per talk (and one event-wide poll per event) and one ballot per person and poll
are database constraints; the checks here give the clear message, the constraints the truth.
"""

from functools import cache

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone

from meetups.models import Event, Talk
from members.rules import taking_part_prefetch
from portal.errors import conflict, forbidden, invalid, not_found

from . import poll_broadcast, selectors
from .models import (
    POLL_MAX_OPTIONS,
    POLL_MIN_OPTIONS,
    POLL_OPTION_MAX_LENGTH,
    POLL_QUESTION_MAX_LENGTH,
    Poll,
    PollBallot,
    PollOption,
)
from .rules import can_answer_poll, can_manage_poll, can_view_live, qa_refusal
from .services import _after_commit, _bump_revision


def clean_poll_line(text: str) -> str:
    """One line of plain text: control characters dropped, runs of white space collapsed."""
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())


def _announce(poll: Poll) -> None:
    _bump_revision(poll.event_id)
    _after_commit(poll_broadcast.polls_changed, event_id=poll.event_id)


def _require_manager(user: AbstractBaseUser, obj) -> None:
    if not can_manage_poll(user, obj):
        raise not_found("No such poll.")


def clean_poll_options(options: list[str]) -> list[str]:
    """2 to 8 options, each one line of at most POLL_OPTION_MAX_LENGTH characters, no blank and
    no two alike (ignoring case); INVALID otherwise."""
    cleaned = [clean_poll_line(text) for text in options]
    if any(not text for text in cleaned):
        raise invalid("An option cannot be blank.", field="options")
    if not POLL_MIN_OPTIONS <= len(cleaned) <= POLL_MAX_OPTIONS:
        raise invalid(
            f"Give between {POLL_MIN_OPTIONS} and {POLL_MAX_OPTIONS} options.", field="options"
        )
    if any(len(text) > POLL_OPTION_MAX_LENGTH for text in cleaned):
        raise invalid(f"Keep each option to {POLL_OPTION_MAX_LENGTH} characters.", field="options")
    if len({text.casefold() for text in cleaned}) != len(cleaned):
        raise invalid("Two options are the same.", field="options")
    return cleaned


def poll_create(
    *,
    event: Event,
    talk: Talk | None,
    user: AbstractBaseUser,
    question: str,
    options: list[str],
    kind: str = Poll.Kind.SINGLE,
    results: str = Poll.Results.LIVE,
) -> Poll:
    """Prepare a poll for a talk (or the whole event when `talk` is None), not yet open.

    Organisers prepare any; a talk's speakers their own talk's. Nothing is broadcast: the
    room sees a poll once it opens."""
    if talk is not None and talk.event_id != event.pk:
        raise not_found("No such talk at this event.")
    # An event-wide poll is the organisers' (the event has no speakers of its own).
    _require_manager(user, talk if talk is not None else event)
    question = clean_poll_line(question)
    if not question:
        raise invalid("Write the question first.", field="question")
    if len(question) > POLL_QUESTION_MAX_LENGTH:
        raise invalid(
            f"Keep the question to {POLL_QUESTION_MAX_LENGTH} characters.", field="question"
        )
    if kind not in Poll.Kind.values:
        raise invalid("Choose one answer or several.", field="kind")
    if results not in Poll.Results.values:
        raise invalid("Choose when the results show.", field="results")
    options = clean_poll_options(options)
    with transaction.atomic():
        poll = Poll.objects.create(
            event=event, talk=talk, question=question, kind=kind, results=results, created_by=user
        )
        PollOption.objects.bulk_create(
            PollOption(poll=poll, text=text, position=n) for n, text in enumerate(options, 1)
        )
    return poll


def _poll_for_update(poll: Poll, user: AbstractBaseUser) -> Poll:
    locked = (
        # Only the poll's row: PostgreSQL refuses FOR UPDATE on the nullable side of the talk's
        # outer join (an event-wide poll has none).
        Poll.objects.select_for_update(of=("self",))
        .select_related("event__group", "talk")
        .filter(pk=poll.pk)
        .first()
    )
    if locked is None:
        raise not_found("No such poll.")
    _require_manager(user, locked)
    return locked


def poll_open(*, poll: Poll, user: AbstractBaseUser) -> Poll:
    """Open a prepared poll to the room; CONFLICT while another poll of the same talk (or
    another event-wide poll) is open, or once the event is over. Broadcasts the polls."""
    _require_manager(user, poll)
    with transaction.atomic():
        poll = _poll_for_update(poll, user)
        if poll.status != Poll.Status.DRAFT:
            raise conflict("Only a prepared poll can be opened.")
        if selectors.qa_is_read_only(event=poll.event):
            raise conflict("The event is over: polls can no longer open.")
        others = Poll.objects.filter(
            event_id=poll.event_id, talk_id=poll.talk_id, status=Poll.Status.OPEN
        )
        where = "this talk" if poll.talk_id else "the whole event"
        if others.exists():
            raise conflict(f"Another poll for {where} is open: close it first.")
        poll.status = Poll.Status.OPEN
        poll.opened_at = timezone.now()
        try:
            with transaction.atomic():
                poll.save(update_fields=["status", "opened_at"])
        except IntegrityError:
            # It opened between the check and the write: the same refusal.
            raise conflict(f"Another poll for {where} is open: close it first.") from None
        _announce(poll)
    return poll


def _freeze_counts(poll: Poll) -> None:
    """Keep the results with the poll: erasing a voter later leaves the archive's counts."""
    votes = dict(
        PollBallot.options.through.objects.filter(pollballot__poll=poll)
        .values_list("polloption_id")
        .annotate(n=Count("id"))
        .values_list("polloption_id", "n")
    )
    options = list(poll.options.all())
    for option in options:
        option.final_votes = votes.get(option.pk, 0)
    PollOption.objects.bulk_update(options, ["final_votes"])
    poll.final_ballots = PollBallot.objects.filter(poll=poll).count()


def poll_close(*, poll: Poll, user: AbstractBaseUser) -> Poll:
    """Close an open poll: no more answers; its results become public and are kept with it
    (the talk page's archive). Broadcasts the polls."""
    _require_manager(user, poll)
    with transaction.atomic():
        poll = _poll_for_update(poll, user)
        if poll.status != Poll.Status.OPEN:
            raise conflict("Only an open poll can be closed.")
        _freeze_counts(poll)
        poll.status = Poll.Status.CLOSED
        poll.closed_at = timezone.now()
        poll.save(update_fields=["status", "closed_at", "final_ballots"])
        _announce(poll)
    return poll


def poll_reveal(*, poll: Poll, user: AbstractBaseUser) -> Poll:
    """Show an open poll's results to the room (a poll whose results wait for the reveal).
    Revealing what is already shown changes nothing. Broadcasts the polls when it changed."""
    _require_manager(user, poll)
    current = Poll.objects.filter(pk=poll.pk).first()  # its state now, not as passed in
    if current is None:
        raise not_found("No such poll.")
    if current.status == Poll.Status.DRAFT:
        raise conflict("Open the poll before revealing its results.")
    if current.results_public:
        return current  # already shown: no write transaction
    with transaction.atomic():
        poll = _poll_for_update(poll, user)
        if poll.results_public:
            return poll
        poll.revealed_at = timezone.now()
        poll.save(update_fields=["revealed_at"])
        _announce(poll)
    return poll


def _poll_as_read(poll: Poll) -> Poll:
    """`poll` with its event (and group) and options, read again if the caller's copy may be
    stale in a way that matters: a poll only moves draft -> open -> closed, so a copy that
    says open or closed is right or one step behind (the write re-reads the status); one
    that says draft may since have opened."""
    if poll.status != Poll.Status.DRAFT:
        return poll
    fresh = Poll.objects.select_related("event__group", "talk").filter(pk=poll.pk).first()
    if fresh is None:
        raise not_found("No such poll.")
    return fresh


def poll_vote(*, poll: Poll, user: AbstractBaseUser, option_ids: list[int]) -> PollBallot:
    """Answer a poll, or change one's answer while it is open: one option (single choice) or
    one or more (multiple). One ballot per person (the database's constraint). Broadcasts
    the results after commit, coalesced (in servers, only marked here: the worker thread of
    live/coalesce.py renders them).

    `poll` as the caller read it, with its event and options (`poll_selectors.poll_get` or
    `poll_for_ballot`; anything not loaded is read here). Whether it and its event are still
    open is read again in the write's transaction; the ballot is one upsert and its options two
    statements, so an answer costs three writes and no read of the ballot. The ballot returned
    carries `chosen_option_ids` (sorted), so callers need not read its options back."""
    poll = _poll_as_read(poll)
    if poll.status == Poll.Status.DRAFT or not can_view_live(user, poll):
        raise not_found("No such poll.")
    if not user.is_authenticated:
        raise forbidden("Log in to answer the poll.")
    taking_part_prefetch(user, poll.event)  # the rule's membership and policy reads, as one
    if not can_answer_poll(user, poll):
        # Why not and what to do (banned, or not in the event's audience), as for the Q&A.
        raise forbidden(qa_refusal(user, poll) or "You may not answer this poll.")
    if poll.status != Poll.Status.OPEN or selectors.qa_is_read_only(event=poll.event):
        raise conflict("This poll has closed.")
    chosen = set(option_ids)
    with transaction.atomic():
        # The poll's and its event's state as they are now (the event may have ended, been
        # cancelled or gone back to draft since the caller read it); the caller's copy of the
        # event is brought up to date. Read without a lock, as before: an answer committing
        # while a close commits may land after the counts froze; the archive shows those.
        now = (
            Poll.objects.filter(pk=poll.pk)
            .values_list("status", "event__status", "event__ends_at")
            .first()
        )
        if now is None:
            raise not_found("No such poll.")
        status, poll.event.status, poll.event.ends_at = now
        if not can_view_live(user, poll):
            raise not_found("No such poll.")
        if status != Poll.Status.OPEN or selectors.qa_is_read_only(event=poll.event):
            raise conflict("This poll has closed.")
        if not chosen:
            raise invalid("Choose an answer.", field="options")
        if poll.kind == Poll.Kind.SINGLE and len(chosen) != 1:
            raise invalid("Choose one answer.", field="options")
        if not chosen <= {option.pk for option in poll.options.all()}:
            raise invalid("Choose among this poll's answers.", field="options")
        ballot = PollBallot(poll=poll, user=user)
        ballot.pk = _ballot_upsert(ballot)
        ballot._state.adding, ballot._state.db = False, connection.alias
        _ballot_options_set(ballot.pk, sorted(chosen))
        _after_commit(poll_broadcast.poll_results_changed, event_id=poll.event_id)
    ballot.chosen_option_ids = sorted(chosen)
    return ballot


@cache
def _ballot_sql() -> tuple[str, str, str]:
    """The ballot's upsert and its options' delete and insert. Written out: every answer
    runs them, and the ORM took longer to build them than the database to answer
    (docs/benchmarks.md, "A frame's way out, and a cheaper poll answer"). Identifiers come
    from the models; values are always parameters."""
    quote = connection.ops.quote_name
    table = quote(PollBallot._meta.db_table)
    poll, user = quote("poll_id"), quote("user_id")
    created, updated = quote("created_at"), quote("updated_at")
    through = PollBallot.options.through._meta
    options = quote(through.db_table)
    ballot_column = quote(through.get_field("pollballot").column)
    option_column = quote(through.get_field("polloption").column)
    # One statement whether it is the first answer or a change, and no IntegrityError when the
    # same person answers twice at once (the constraint one_ballot_per_person is the key).
    upsert = (
        f"INSERT INTO {table} ({poll}, {user}, {created}, {updated}) VALUES (%s, %s, %s, %s) "  # noqa: S608
        f"ON CONFLICT ({poll}, {user}) DO UPDATE SET {updated} = EXCLUDED.{updated} "
        f"RETURNING {quote('id')}"
    )
    delete = f"DELETE FROM {options} WHERE {ballot_column} = %s AND {option_column} NOT IN ({{}})"  # noqa: S608
    insert = (
        f"INSERT INTO {options} ({ballot_column}, {option_column}) VALUES {{}} "  # noqa: S608
        "ON CONFLICT DO NOTHING"
    )
    return upsert, delete, insert


def _ballot_upsert(ballot: PollBallot) -> int:
    """Write `ballot` (new, or its `updated_at` if the person has one): its id."""
    upsert, _, _ = _ballot_sql()
    now = PollBallot._meta.get_field("updated_at").get_db_prep_save(timezone.now(), connection)
    with connection.cursor() as cursor:
        cursor.execute(upsert, [ballot.poll_id, ballot.user_id, now, now])
        return cursor.fetchone()[0]


def _ballot_options_set(ballot_id: int, option_ids: list[int]) -> None:
    """Make the ballot's options exactly `option_ids` (not empty): two statements."""
    _, delete, insert = _ballot_sql()
    slots = ", ".join(["%s"] * len(option_ids))
    pairs = ", ".join(["(%s, %s)"] * len(option_ids))
    with connection.cursor() as cursor:
        cursor.execute(delete.format(slots), [ballot_id, *option_ids])
        cursor.execute(insert.format(pairs), [v for pk in option_ids for v in (ballot_id, pk)])


def poll_ballots_erase(*, user: AbstractBaseUser) -> int:
    """Delete every ballot of `user` (account erasure). Open polls' results are re-sent;
    closed polls keep their frozen counts. Returns how many ballots were deleted."""
    ballots = PollBallot.objects.filter(user=user)
    open_events = set(
        ballots.filter(poll__status=Poll.Status.OPEN).values_list("poll__event_id", flat=True)
    )
    _, by_model = ballots.delete()
    for event_id in open_events:
        _after_commit(poll_broadcast.poll_results_changed, event_id=event_id)
    return by_model.get(PollBallot._meta.label, 0)
