"""Who may do what with memberships, as django-rules predicates: each rule written once.

The higher apps compose these into their own rules: `rsvp.rules.can_rsvp`, `live.rules.can_ask`
and `can_vote`, and the call for talks' proposal, idea and vote rules all include
`~is_banned_from`; `ban_refusal` is the message each of them shows a banned person (FORBIDDEN).

Objects: a `Group`, or anything of one group (an `Event`, a `Talk`, a `Question`, a
`CallForTalks`, a `TalkIdea`, a `Proposal`, a `Membership`).

A person's membership of a group is read once per user object and group (kept on the user, as
Django keeps permissions in `_perm_cache`); `members.services` forget it after a change.
"""

from functools import cache

import rules
from django.db import connection

from meetups.models import Event, Group
from meetups.rules import is_group_organiser
from portal.rawsql import Columns

from . import policies
from .models import EventPolicy, GroupPolicy, Membership

_CACHE = "_memberships_by_group"


def group_id_of(obj) -> int | None:
    if obj is None:
        return None
    if isinstance(obj, Group):
        return obj.pk
    if isinstance(obj, Event):
        return obj.group_id
    if hasattr(obj, "group_id"):
        return obj.group_id  # Membership, CallForTalks, TalkIdea, Proposal
    return obj.event.group_id  # Talk, Question


def _group_of(obj) -> Group | None:
    if obj is None or isinstance(obj, Group):
        return obj
    if isinstance(obj, Event) or hasattr(obj, "group_id"):
        return obj.group
    return obj.event.group


def membership_of(user, obj) -> Membership | None:
    """`user`'s membership (active or banned) of `obj`'s group, or None."""
    group_id = group_id_of(obj)
    if group_id is None or not user.is_authenticated:
        return None
    known = getattr(user, _CACHE, None)
    if known is None:
        known = {}
        setattr(user, _CACHE, known)
    if group_id not in known:
        known[group_id] = Membership.objects.filter(group_id=group_id, user_id=user.pk).first()
    return known[group_id]


@cache
def _membership_columns() -> Columns:
    return Columns(Membership, "m")


@cache
def _taking_part_sql() -> str:
    """Written out: the ORM took about 1.8 ms to build this join, the database 0.2 ms to
    answer it, on every signed-in event page. SQL that SQLite and PostgreSQL both take."""
    quote = connection.ops.quote_name
    models = (Event, Membership, EventPolicy, GroupPolicy)
    table = {model: quote(model._meta.db_table) for model in models}
    columns = _membership_columns().sql
    audiences = ", ".join(
        f"{alias}.{quote(name)} AS {quote(f'{alias}_{name}')}"
        for alias in ("ep", "gp")
        for name in ("rsvp_audience", "qa_audience")
    )
    # Identifiers from the models, values as parameters.
    return (
        f"SELECT {columns}, {audiences} FROM {table[Event]} e "  # noqa: S608
        f"LEFT JOIN {table[EventPolicy]} ep ON ep.{quote('event_id')} = e.{quote('id')} "
        f"LEFT JOIN {table[GroupPolicy]} gp ON gp.{quote('group_id')} = e.{quote('group_id')} "
        f"LEFT JOIN {table[Membership]} m ON m.{quote('group_id')} = e.{quote('group_id')} "
        f"AND m.{quote('user_id')} = %s WHERE e.{quote('id')} = %s"
    )


def taking_part_prefetch(user, event: Event) -> None:
    """What the predicates will ask about `user` and `event` — the membership of its group
    (`membership_of`) and the event's policies (`members.policies.effective_for_event`) — read
    in one query instead of two and kept where they look (on the user and on the event). Only
    a read ahead: the rules stay the predicates in this module; nothing is read when either is
    already known."""
    if not user.is_authenticated or event.group_id in getattr(user, _CACHE, {}):
        return
    if policies.known(event):
        return
    membership = _membership_columns()
    # A cursor, not Membership.objects.raw: the raw queryset's column mapping cost more than
    # the statement on every RSVP.
    with connection.cursor() as cursor:
        cursor.execute(_taking_part_sql(), [user.pk, event.pk])
        row = cursor.fetchone()
    if row is None:
        return
    own, (ep_rsvp, ep_qa, gp_rsvp, gp_qa) = row[: len(membership)], row[len(membership) :]
    policies.keep(event, event_row=(ep_rsvp, ep_qa), group_row=(gp_rsvp, gp_qa))
    known = getattr(user, _CACHE, None)
    if known is None:
        known = {}
        setattr(user, _CACHE, known)
    # The membership's id is NULL when the LEFT JOIN found none.
    found = own[membership.attnames.index(Membership._meta.pk.attname)] is not None
    known[event.group_id] = membership.instance(own) if found else None


def forget_membership(user, group_id: int) -> None:
    getattr(user, _CACHE, {}).pop(group_id, None)


@rules.predicate
def is_member(user, obj) -> bool:
    """An active member of the group (a banned person is not)."""
    membership = membership_of(user, obj)
    return membership is not None and membership.is_active


@rules.predicate
def is_banned_from(user, obj) -> bool:
    membership = membership_of(user, obj)
    return membership is not None and membership.is_banned


def ban_refusal(user, obj) -> str | None:
    """What a banned person is told when they try to take part; None if not banned."""
    membership = membership_of(user, obj)
    if membership is None or not membership.is_banned:
        return None
    group = _group_of(obj)
    message = f"You have been banned from {group.name} by its organisers"
    if membership.banned_reason:
        return f"{message}: {membership.banned_reason}"
    return f"{message}."


# Join in one click; a banned person cannot rejoin (nor leave to clear the ban).
can_join = rules.is_authenticated & ~is_member & ~is_banned_from
can_leave = rules.is_authenticated & is_member

# The members page: listed members, for signed-in people; organisers see everyone.
can_view_members = rules.is_authenticated
can_manage_members = is_group_organiser


def organiser_ids(group: Group) -> set[int]:
    """The owner's and co-organisers' ids (one query), for a list that asks per row."""
    ids = set(group.organisers.values_list("pk", flat=True))
    return ids | {group.owner_id} if group.owner_id else ids


def is_moderatable(membership: Membership, organisers: set[int]) -> bool:
    """Not an organiser of the group (owner, co-organiser or staff), given `organiser_ids`."""
    return not (membership.user.is_staff or membership.user_id in organisers)


@rules.predicate
def target_is_not_organiser(user, membership: Membership) -> bool:
    """Nobody bans or removes an organiser (themselves included) from their own group."""
    return is_moderatable(membership, organiser_ids(membership.group))


@rules.predicate
def organises_group_of(user, membership: Membership) -> bool:
    return is_group_organiser(user, membership.group)


# Remove, ban and unban: the group's organisers, on anyone but an organiser of the group.
can_moderate_member = organises_group_of & target_is_not_organiser

rules.add_perm("members.join", can_join)
rules.add_perm("members.leave", can_leave)
rules.add_perm("members.view_members", can_view_members)
rules.add_perm("members.manage_members", can_manage_members)
rules.add_perm("members.moderate_member", can_moderate_member)
