"""Your data, the organiser tools' part (portal.personal_data): organiser invitations and the
messages one sent to attendees.

Erasing revokes the pending invitations the account sent and deletes every invitation made out
to its email (the row is the email). Messages sent to attendees stay as the record of what the
group told its attendees; their sender is the anonymised account.
"""

from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone

from portal.personal_data import account_erasing, iso, personal_data_requested

from .models import AttendeeMessage, OrganiserInvitation


def _invitation(invitation: OrganiserInvitation) -> dict:
    return {
        "group": invitation.group.name,
        "email": invitation.email,
        "created_at": iso(invitation.created_at),
        "accepted_at": iso(invitation.accepted_at),
        "revoked_at": iso(invitation.revoked_at),
    }


@receiver(personal_data_requested, dispatch_uid="organise.personal_data.invitations")
def export_invitations(sender, user, **kwargs):
    received = Q(accepted_by=user) | (Q(email__iexact=user.email) if user.email else Q(pk=None))
    invitations = OrganiserInvitation.objects.select_related("group").order_by("created_at", "pk")
    return "organiser_invitations", {
        "sent": [_invitation(i) for i in invitations.filter(invited_by=user)],
        "received": [_invitation(i) for i in invitations.filter(received)],
    }


@receiver(personal_data_requested, dispatch_uid="organise.personal_data.messages")
def export_attendee_messages(sender, user, **kwargs):
    messages = AttendeeMessage.objects.filter(sender=user).select_related("event")
    return "attendee_messages", [
        {
            "event": m.event.title,
            "audience": m.audience,
            "subject": m.subject,
            "body": m.body,
            "recipient_count": m.recipient_count,
            "sent_at": iso(m.sent_at),
        }
        for m in messages.order_by("sent_at", "pk")
    ]


@receiver(account_erasing, dispatch_uid="organise.personal_data.invitations")
def revoke_invitations(sender, user, **kwargs) -> None:
    OrganiserInvitation.objects.filter(
        invited_by=user, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    addressed = Q(accepted_by=user)
    if user.email:
        addressed |= Q(email__iexact=user.email)
    OrganiserInvitation.objects.filter(addressed).delete()
