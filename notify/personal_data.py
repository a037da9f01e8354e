"""Your data, notify's part (portal.personal_data): email preferences and announcements sent.

Erasing deletes the person's preferences; the announcements they sent stay as the group's
record of what it told its members, with the sender removed (the subject and body were
written for every member to read, and name the group, not the sender).
"""

from django.dispatch import receiver

from portal.personal_data import account_erasing, iso, personal_data_requested

from .models import Announcement, Preference


@receiver(personal_data_requested, dispatch_uid="notify.personal_data.preferences")
def export_preferences(sender, user, **kwargs):
    rows = (
        Preference.objects.filter(user=user)
        .select_related("group")
        .order_by("group__name", "category")
    )
    return "email_preferences", [
        {
            "group": p.group.name,
            "category": p.category,
            "enabled": p.enabled,
            "updated_at": iso(p.updated_at),
        }
        for p in rows
    ]


@receiver(personal_data_requested, dispatch_uid="notify.personal_data.announcements")
def export_announcements(sender, user, **kwargs):
    sent = (
        Announcement.objects.filter(sender=user)
        .select_related("group")
        .order_by("created_at", "pk")
    )
    return "announcements_sent", [
        {
            "group": a.group.name,
            "subject": a.subject,
            "body": a.body,
            "status": a.status,
            "recipient_count": a.recipient_count,
            "created_at": iso(a.created_at),
            "sent_at": iso(a.sent_at),
        }
        for a in sent
    ]


@receiver(account_erasing, dispatch_uid="notify.personal_data.erase")
def erase(sender, user, **kwargs) -> None:
    Preference.objects.filter(user=user).delete()
    Announcement.objects.filter(sender=user).update(sender=None)
