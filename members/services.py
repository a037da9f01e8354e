"""Writes for memberships and the who-may policies.

Refusals are `portal.errors.ServiceError`: joining while banned or leaving a group one is not in
is FORBIDDEN/CONFLICT with a message that says why; a membership of another group, or any
member management by someone who does not organise the group, is NOT_FOUND. Rate limits are
the callers' (`members.join` for join and leave, `members.moderate` for the organisers').
Nothing else happens: no email, no broadcast (the RSVP panel refreshes itself on the
`membershipChanged` client event the views send).
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from meetups.models import Event, Group
from meetups.rules import is_group_organiser
from portal.errors import conflict, forbidden, invalid, not_found
from portal.text import require_single_line

from . import policies, rules
from .models import (
    BAN_REASON_MAX_LENGTH,
    EventPolicy,
    GroupPolicy,
    Membership,
    QaAudience,
    RsvpAudience,
)


def membership_join(*, group: Group, user: AbstractBaseUser) -> tuple[Membership, bool]:
    """Join `group`; returns the membership and whether it is new (joining twice changes
    nothing). A banned person is refused with the ban's message."""
    if not user.is_authenticated:
        raise forbidden("Log in to join the group.")
    rules.forget_membership(user, group.pk)
    if refusal := rules.ban_refusal(user, group):
        raise forbidden(refusal)
    # A double click racing this one meets the unique constraint inside get_or_create, which
    # then reads the row the other made and answers "not created".
    membership, created = Membership.objects.get_or_create(group=group, user=user)
    rules.forget_membership(user, group.pk)
    if membership.is_banned:
        raise forbidden(rules.ban_refusal(user, group))
    return membership, created


def membership_leave(*, group: Group, user: AbstractBaseUser) -> bool:
    """Leave `group`; returns whether there was a membership. A ban stays (leaving does not
    lift it)."""
    if not user.is_authenticated:
        raise forbidden("Log in first.")
    rules.forget_membership(user, group.pk)
    if refusal := rules.ban_refusal(user, group):
        raise forbidden(refusal)
    deleted, _ = Membership.objects.active().filter(group=group, user=user).delete()
    rules.forget_membership(user, group.pk)
    return deleted > 0


def membership_listed_set(*, group: Group, user: AbstractBaseUser, listed: bool) -> Membership:
    """Whether the member is shown by name on the group's members page."""
    membership = Membership.objects.active().filter(group=group, user_id=user.pk).first()
    if membership is None:
        raise conflict("Join the group first.")
    if membership.listed != listed:
        membership.listed = listed
        membership.save(update_fields=["listed"])
    rules.forget_membership(user, group.pk)
    return membership


def _moderated(membership_id: int, group: Group, user: AbstractBaseUser) -> Membership:
    """The membership, of this group, if `user` organises it; NOT_FOUND otherwise. An
    organiser of the group (oneself included) is refused as FORBIDDEN."""
    if not is_group_organiser(user, group):
        raise not_found("No such member.")
    membership = (
        Membership.objects.select_for_update()
        .select_related("user", "group")
        .filter(pk=membership_id, group=group)
        .first()
    )
    if membership is None:
        raise not_found("No such member.")
    if not rules.can_moderate_member(user, membership):
        raise forbidden("Organisers of the group cannot be removed or banned here.")
    return membership


def member_remove(*, group: Group, membership_id: int, user: AbstractBaseUser) -> None:
    """Remove a member (the membership is deleted; they may join again). A ban is lifted
    with `member_unban`, not here."""
    with transaction.atomic():
        membership = _moderated(membership_id, group, user)
        if membership.is_banned:
            raise conflict("This person is banned: unban them instead.")
        membership.delete()


def member_ban(
    *, group: Group, membership_id: int, user: AbstractBaseUser, reason: str
) -> Membership:
    """Ban a member: they stay in the list as banned, cannot RSVP, ask, vote or propose in the
    group, and are shown `reason` when they try. Their existing RSVPs are left alone (the
    organisers cancel them at the door if they wish)."""
    reason = require_single_line(reason.strip(), field="reason")
    if len(reason) > BAN_REASON_MAX_LENGTH:
        raise invalid(f"Keep the reason to {BAN_REASON_MAX_LENGTH} characters.", field="reason")
    with transaction.atomic():
        membership = _moderated(membership_id, group, user)
        membership.state = Membership.State.BANNED
        membership.banned_reason = reason
        membership.banned_at = timezone.now()
        membership.banned_by = user
        membership.save(update_fields=["state", "banned_reason", "banned_at", "banned_by"])
    return membership


def member_unban(*, group: Group, membership_id: int, user: AbstractBaseUser) -> Membership:
    """Lift a ban: the person is a member again (they may leave)."""
    with transaction.atomic():
        membership = _moderated(membership_id, group, user)
        if not membership.is_banned:
            raise conflict("This person is not banned.")
        membership.state = Membership.State.ACTIVE
        membership.banned_reason = ""
        membership.banned_at = None
        membership.banned_by = None
        membership.save(update_fields=["state", "banned_reason", "banned_at", "banned_by"])
    return membership


def _check_choice(value: str, choices, field: str, *, blank: bool) -> str:
    if (value == "" and blank) or value in choices.values:
        return value
    raise invalid("Choose one of the options.", field=field)


def group_policy_set(
    *, group: Group, user: AbstractBaseUser, rsvp_audience: str, qa_audience: str
) -> GroupPolicy:
    """Set the group's defaults (`qa_audience` "" follows the RSVP policy)."""
    if not is_group_organiser(user, group):
        raise not_found("No group found.")
    rsvp_audience = _check_choice(rsvp_audience, RsvpAudience, "rsvp_audience", blank=False)
    qa_audience = _check_choice(qa_audience, QaAudience, "qa_audience", blank=True)
    policy, _ = GroupPolicy.objects.update_or_create(
        group=group, defaults={"rsvp_audience": rsvp_audience, "qa_audience": qa_audience}
    )
    return policy


def event_policy_set(
    *, event: Event, user: AbstractBaseUser, rsvp_audience: str, qa_audience: str
) -> EventPolicy:
    """Set the event's own choices ("" for "same as the group")."""
    if not is_group_organiser(user, event):
        raise not_found("No event found.")
    rsvp_audience = _check_choice(rsvp_audience, RsvpAudience, "rsvp_audience", blank=True)
    qa_audience = _check_choice(qa_audience, QaAudience, "qa_audience", blank=True)
    policy, _ = EventPolicy.objects.update_or_create(
        event=event, defaults={"rsvp_audience": rsvp_audience, "qa_audience": qa_audience}
    )
    policies.forget(event)
    return policy
