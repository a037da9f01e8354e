"""Your data, the members app's part (portal.personal_data): memberships and bans.

Erasing deletes every membership of the person, bans included: a ban row without a person
is nothing (the account it bound is gone), and the policies hold no personal data. A ban that
someone else set (`banned_by`) is not the banning organiser's data; it goes with the banned
person's row. When an organiser's account is erased, `banned_by` becomes empty (SET_NULL).
"""

from django.dispatch import receiver

from portal.personal_data import account_erasing, iso, personal_data_requested

from .models import Membership


@receiver(personal_data_requested, dispatch_uid="members.personal_data.memberships")
def export_memberships(sender, user, **kwargs):
    memberships = Membership.objects.filter(user=user).select_related("group")
    return "memberships", [
        {
            "group": m.group.name,
            "group_url": m.group.get_absolute_url(),
            "joined_at": iso(m.joined_at),
            "listed": m.listed,
            "state": m.state,
            "banned_reason": m.banned_reason or None,
            "banned_at": iso(m.banned_at),
        }
        for m in memberships.order_by("joined_at", "pk")
    ]


@receiver(account_erasing, dispatch_uid="members.personal_data.delete")
def delete_memberships(sender, user, **kwargs) -> None:
    Membership.objects.filter(user=user).delete()
