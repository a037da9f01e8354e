"""Co-organisers: invitations by email, accepting them, withdrawing them, removal."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from meetups.models import Group
from portal.errors import conflict, forbidden, not_found
from portal.invitations import invitation_claim
from portal.text import require_email_address

from .. import tasks
from ..models import OrganiserInvitation
from ..rules import is_invitee, require_organiser
from ._common import after_commit


def organiser_invite(*, group: Group, user: AbstractBaseUser, email: str) -> OrganiserInvitation:
    """Invite someone by email to co-organise `group`; the email (a task) holds the link.

    Inviting the same address again while an invitation is pending re-sends that invitation.
    """
    require_organiser(user, group)
    email = require_email_address(email, field="email")
    if group.organisers.filter(email__iexact=email).exists() or (
        group.owner is not None and group.owner.email.lower() == email
    ):
        raise conflict("They already organise this group.", field="email")
    pending = [
        i
        for i in OrganiserInvitation.objects.filter(
            group=group, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
        )
        if i.is_pending()
    ]
    invitation = pending[0] if pending else None
    with transaction.atomic():
        if invitation is None:
            invitation = OrganiserInvitation.objects.create(
                group=group, email=email, invited_by=user
            )
        after_commit(tasks.send_organiser_invitation.enqueue, invitation_id=invitation.pk)
    return invitation


def organiser_invitation_accept(
    *, token: str, user: AbstractBaseUser, now: datetime | None = None
) -> Group:
    """Join a group's organisers with an invitation meant for this user's email address.

    The portal's token flow finds and locks the invitation (and refuses a visitor not signed
    in, an unknown token, one accepted by someone else). Accepting again is no change.
    """
    now = now or timezone.now()
    with transaction.atomic():
        invitation = invitation_claim(
            OrganiserInvitation.objects.select_related("group"),
            token=token,
            user=user,
            is_used=lambda i: i.accepted_at is not None and i.accepted_by_id != user.pk,
        )
        if invitation.accepted_at is not None:
            return invitation.group
        if not invitation.is_pending(now):
            raise conflict("This invitation has expired or was withdrawn; ask for a new one.")
        if not is_invitee(user, invitation):
            raise forbidden(
                f"This invitation is for {invitation.email}. Log in with that address to accept it."
            )
        invitation.accepted_at = now
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        invitation.group.organisers.add(user)
    return invitation.group


def organiser_invitation_revoke(*, invitation: OrganiserInvitation, user: AbstractBaseUser) -> None:
    """Withdraw a pending invitation (one already accepted or withdrawn stays as it is)."""
    require_organiser(user, invitation.group)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


def organiser_remove(*, group: Group, user: AbstractBaseUser, organiser: AbstractBaseUser) -> None:
    """Take `organiser` off the group's organisers (`user` may be them: leaving). Nobody can
    remove the owner this way."""
    require_organiser(user, group)
    if group.owner_id == organiser.pk:
        raise conflict("The group's owner cannot be removed.")
    if not group.organisers.filter(pk=organiser.pk).exists():
        raise not_found("Not an organiser of this group.")
    group.organisers.remove(organiser)
