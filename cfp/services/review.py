"""The organisers' side: the call's settings, private reviews, decisions (which status may
follow which), scheduling accepted talks onto an event, and the line-up's order."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max

from meetups.models import Event, Group, Talk, unique_slug
from portal.errors import conflict, invalid, not_found
from portal.pagecache import page_cache_bump

from .. import rules, tasks
from ..models import CallForTalks, Proposal, ProposalSpeaker, Review
from .speakers import speaker_ensure

Status = Proposal.Status


def call_for_talks_update(*, user: AbstractBaseUser, group: Group, **fields) -> CallForTalks:
    """Creates or updates the group's call for talks (organisers only)."""
    if not rules.can_review(user, group):
        raise not_found("No group found.")
    call, _ = CallForTalks.objects.get_or_create(group=group)
    for name, value in fields.items():
        setattr(call, name, value)
    call.full_clean()
    call.save()
    return call


def _check_organiser(user: AbstractBaseUser, proposal: Proposal) -> None:
    if not rules.can_review(user, proposal):
        raise not_found("No proposal found.")


def review_save(
    *, user: AbstractBaseUser, proposal: Proposal, score: int | None, note: str
) -> Review:
    """Saves the organiser's own score (1 to 5, or none) and private note."""
    _check_organiser(user, proposal)
    if score is not None and not 1 <= score <= 5:
        raise invalid("A score is from 1 to 5.", field="score")
    review, _ = Review.objects.update_or_create(
        proposal=proposal, reviewer=user, defaults={"score": score, "note": note.strip()}
    )
    return review


# --- decisions ----------------------------------------------------------------------------------


def _move(proposal: Proposal, to: str) -> None:
    if to not in rules.TRANSITIONS[proposal.status]:
        raise conflict(
            f"A proposal that is {proposal.get_status_display().lower()} "
            f"cannot become {Status(to).label.lower()}."
        )
    proposal.status = to


def proposal_open_voting(*, user: AbstractBaseUser, proposal: Proposal) -> Proposal:
    """Puts a submitted proposal on the voting page."""
    _check_organiser(user, proposal)
    _move(proposal, Status.IN_VOTING)
    proposal.save(update_fields=["status", "updated_at"])
    return proposal


def proposal_reopen(*, user: AbstractBaseUser, proposal: Proposal) -> Proposal:
    """Takes a proposal out of voting, or back from declined, to plain submitted."""
    _check_organiser(user, proposal)
    _move(proposal, Status.SUBMITTED)
    proposal.decision_message = ""
    proposal.save(update_fields=["status", "decision_message", "updated_at"])
    return proposal


def _decide(user: AbstractBaseUser, proposal: Proposal, status: str, message: str) -> Proposal:
    """Moves a proposal to a decision and, after commit, emails its speakers that decision."""
    _check_organiser(user, proposal)
    _move(proposal, status)
    proposal.decision_message = message.strip()
    proposal.save(update_fields=["status", "decision_message", "updated_at"])
    decision = str(status)  # the task takes plain JSON values
    transaction.on_commit(lambda: tasks.send_proposal_decision.enqueue(proposal.pk, decision))
    return proposal


def proposal_accept(*, user: AbstractBaseUser, proposal: Proposal, message: str = "") -> Proposal:
    """Accepts a proposal; queues an email to its speakers."""
    return _decide(user, proposal, Status.ACCEPTED, message)


def proposal_decline(*, user: AbstractBaseUser, proposal: Proposal, message: str = "") -> Proposal:
    """Declines a proposal, with an optional message; queues an email to its speakers."""
    return _decide(user, proposal, Status.DECLINED, message)


def proposal_decide(
    *, user: AbstractBaseUser, proposal: Proposal, action: str, message: str = ""
) -> Proposal:
    """One of the review's decisions, by name (the page's buttons, the API's `action`), if the
    proposal as it stands offers it (`cfp.rules.proposal_decisions`): accept or decline (with
    a message; emails the speakers), put to the vote, back to submitted, take off the agenda."""
    _check_organiser(user, proposal)
    if action not in rules.DECISIONS:
        raise invalid(f"A decision is one of {', '.join(rules.DECISIONS)}.", field="action")
    if action == "unschedule" and proposal.status != Status.SCHEDULED:
        raise conflict("Only a scheduled proposal can be taken off the agenda.")
    if action not in rules.proposal_decisions(proposal):
        raise conflict(
            f"A proposal that is {proposal.get_status_display().lower()} "
            f"cannot become {rules.DECISIONS[action].label.lower()}."
        )
    if action == "accept":
        return proposal_accept(user=user, proposal=proposal, message=message)
    if action == "decline":
        return proposal_decline(user=user, proposal=proposal, message=message)
    if action == "vote":
        return proposal_open_voting(user=user, proposal=proposal)
    if action == "reopen":
        return proposal_reopen(user=user, proposal=proposal)
    return proposal_unschedule(user=user, proposal=proposal)


# --- the line-up --------------------------------------------------------------------------------


def proposal_schedule(*, user: AbstractBaseUser, proposal: Proposal, event: Event) -> Talk:
    """Puts an accepted proposal on an event's agenda, at the end.

    Creates (or moves) the event's Talk with the proposal's title, abstract, length and
    speakers: the submitter and every co-speaker who accepted, each with a speaker profile.
    Queues an email to the speakers with the event and its date.
    """
    _check_organiser(user, proposal)
    if event.group_id != proposal.group_id:
        raise not_found("No event found.")
    if event.is_past:
        raise conflict("That event is over.", field="event")
    caller_copy = proposal
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        _move(proposal, Status.SCHEDULED)
        talk = proposal.talk
        if talk is None or talk.event_id != event.pk:
            next_order = (event.talks.aggregate(m=Max("order"))["m"] or 0) + 1
        if talk is None:
            talk = Talk.objects.create(
                event=event,
                title=proposal.title,
                slug=unique_slug(Talk, proposal.title),
                abstract=proposal.abstract,
                duration_minutes=proposal.length_minutes,
                order=next_order,
            )
        elif talk.event_id != event.pk:
            talk.event = event
            talk.order = next_order
            talk.save(update_fields=["event", "order"])
        speakers = [speaker_ensure(user=proposal.submitter)]
        for co in proposal.co_speakers.filter(status=ProposalSpeaker.Status.ACCEPTED):
            speakers.append(speaker_ensure(user=co.user))
        talk.speakers.set(speakers)
        proposal.event = event
        proposal.talk = talk
        proposal.save(update_fields=["status", "event", "talk", "updated_at"])
        page_cache_bump()  # the new event's agenda, and the one the talk may have left
        transaction.on_commit(
            lambda: tasks.send_proposal_decision.enqueue(proposal.pk, "scheduled")
        )
    caller_copy.refresh_from_db()
    return talk


def proposal_unschedule(*, user: AbstractBaseUser, proposal: Proposal) -> Proposal:
    """Takes a scheduled proposal off the agenda (deleting its talk); it stays accepted."""
    _check_organiser(user, proposal)
    with transaction.atomic():
        proposal.refresh_from_db()
        _move(proposal, Status.ACCEPTED)
        if proposal.talk_id:
            Talk.objects.filter(pk=proposal.talk_id).delete()
        proposal.talk = None
        proposal.event = None
        proposal.save(update_fields=["status", "talk", "event", "updated_at"])
        page_cache_bump()  # the agenda it left, and its talk page, now gone
    return proposal


def agenda_move(*, user: AbstractBaseUser, talk: Talk, direction: str) -> list[Talk]:
    """Moves a talk one place up or down in its event's agenda; returns the new order.

    Renumbers the agenda 1..n, so gaps and ties left by earlier edits disappear.
    """
    if not rules.can_review(user, talk):
        raise not_found("No talk found.")
    if direction not in ("up", "down"):
        raise invalid("Move a talk up or down.", field="direction")
    with transaction.atomic():
        talks = list(
            Talk.objects.select_for_update().filter(event_id=talk.event_id).order_by("order", "pk")
        )
        index = next((i for i, t in enumerate(talks) if t.pk == talk.pk), None)
        if index is None:  # taken off the agenda since the page was read
            raise not_found("No talk found.")
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(talks):
            talks[index], talks[other] = talks[other], talks[index]
        for position, item in enumerate(talks, start=1):
            item.order = position
        Talk.objects.bulk_update(talks, ["order"])
        page_cache_bump(event_id=talk.event_id)
    return talks
