"""Who may take part: the effective RSVP and Q&A audiences of an event.

An event's own choice wins; "same as the group" (empty) falls back to the group's; the Q&A
audience, when neither chooses, follows the RSVP audience (members-only RSVPs make a
members-only Q&A, else anyone signed in). Read once per event object: the answer is kept on the
instance, as Django keeps a related object, since a page asks it for every button.
"""

from dataclasses import dataclass

from django.db.models import Value

from meetups.models import Event, Group

from .models import EventPolicy, GroupPolicy, QaAudience, RsvpAudience

_CACHE = "_member_policy_effective"


@dataclass(frozen=True)
class Effective:
    rsvp_audience: str
    qa_audience: str
    # What the event's own form shows: its stored choices ("" for "same as the group").
    event_rsvp_audience: str = ""
    event_qa_audience: str = ""


def group_policy_get(*, group: Group) -> GroupPolicy:
    """The group's policy row, or unsaved defaults (reads never write)."""
    return GroupPolicy.objects.filter(group_id=group.pk).first() or GroupPolicy(group=group)


def event_policy_get(*, event: Event) -> EventPolicy:
    return EventPolicy.objects.filter(event_id=event.pk).first() or EventPolicy(event=event)


def qa_default(rsvp_audience: str) -> str:
    return QaAudience.MEMBERS if rsvp_audience == RsvpAudience.MEMBERS else QaAudience.ANYONE


def resolve(*, group_policy: GroupPolicy, event_policy: EventPolicy | None) -> Effective:
    own_rsvp = event_policy.rsvp_audience if event_policy else ""
    own_qa = event_policy.qa_audience if event_policy else ""
    rsvp = own_rsvp or group_policy.rsvp_audience or RsvpAudience.ANYONE
    qa = own_qa or group_policy.qa_audience or qa_default(rsvp)
    return Effective(rsvp, qa, own_rsvp, own_qa)


def effective_for_event(event: Event) -> Effective:
    """The event's audiences: one query (both policies), then kept on the event."""
    cached = getattr(event, _CACHE, None)
    if cached is None:
        fields = ("kind", "rsvp_audience", "qa_audience")
        rows = (
            EventPolicy.objects.filter(event_id=event.pk)
            .annotate(kind=Value("event"))
            .values_list(*fields)
            .union(
                GroupPolicy.objects.filter(group_id=event.group_id)
                .annotate(kind=Value("group"))
                .values_list(*fields)
            )
        )
        found = {kind: (rsvp, qa) for kind, rsvp, qa in rows}
        cached = keep(event, event_row=found.get("event"), group_row=found.get("group"))
    return cached


def known(event: Event) -> bool:
    """Whether `effective_for_event(event)` would answer without a query."""
    return hasattr(event, _CACHE)


def keep(
    event: Event,
    *,
    event_row: tuple[str | None, str | None] | None,
    group_row: tuple[str | None, str | None] | None,
) -> Effective:
    """Resolve and keep on `event` the policies read elsewhere (`effective_for_event`, or
    `members.rules.taking_part_prefetch` with the membership): (rsvp_audience, qa_audience) of
    the event's and the group's rows, None for a missing row or column."""
    own_rsvp, own_qa = event_row or ("", "")
    group_rsvp, group_qa = group_row or ("", "")
    effective = resolve(
        group_policy=GroupPolicy(rsvp_audience=group_rsvp or "", qa_audience=group_qa or ""),
        event_policy=EventPolicy(rsvp_audience=own_rsvp or "", qa_audience=own_qa or ""),
    )
    setattr(event, _CACHE, effective)
    return effective


def forget(event: Event) -> None:
    """After the policy of `event` (or its group) changed, on an object that is used again."""
    if hasattr(event, _CACHE):
        delattr(event, _CACHE)
