"""Your data, notify's part: preferences and announcements sent, exported and erased."""

from notify.models import Announcement, Preference
from notify.services import preference_set
from portal.personal_data import account_erasing, personal_data_export


def test_export_has_preferences_and_announcements_sent(organiser, group, stopped_clock):
    preference_set(user=organiser, group=group, category="recaps", enabled=False)
    Announcement.objects.create(group=group, sender=organiser, subject="Hi", body="All")
    sections = personal_data_export(user=organiser)["sections"]
    [pref] = sections["email_preferences"]
    assert {k: pref[k] for k in ("group", "category", "enabled")} == {
        "group": group.name,
        "category": "recaps",
        "enabled": False,
    }
    [sent] = sections["announcements_sent"]
    assert (sent["group"], sent["subject"], sent["body"], sent["status"]) == (
        group.name,
        "Hi",
        "All",
        "queued",
    )


def test_erasure_deletes_preferences_and_keeps_announcements_without_sender(
    organiser, group, member
):
    preference_set(user=organiser, group=group, category="events", enabled=False)
    preference_set(user=member, group=group, category="events", enabled=False)
    kept = Announcement.objects.create(group=group, sender=organiser, subject="Hi", body="All")
    account_erasing.send(sender=None, user=organiser)
    assert list(Preference.objects.values_list("user", flat=True)) == [member.pk]
    kept.refresh_from_db()
    assert (kept.sender, kept.subject) == (None, "Hi")
    assert personal_data_export(user=organiser)["sections"]["announcements_sent"] == []
