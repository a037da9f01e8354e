"""Writes of notify: preferences, unsubscribe, the new-event email, organisers' announcements."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from meetups.models import Event, Group
from portal.errors import Kind, ServiceError, conflict, invalid
from portal.text import require_multi_line, require_single_line

from . import selectors, tasks
from .models import CATEGORY_DEFAULTS, Announcement, EventAnnounced, Preference
from .preferences import check_category
from .rules import require_announcer
from .unsubscribe import UnsubscribeLink

SUBJECT_ONE_LINE = "Keep the subject on one line, without control characters."


def preference_set(*, user: AbstractBaseUser, group: Group, category: str, enabled: bool) -> None:
    """Turn one category of one group's emails on or off for `user`.

    Only a choice that differs from the category's default is stored; choosing the default
    again removes the row (absence is the default, see `notify.models`).
    """
    if category not in CATEGORY_DEFAULTS:
        raise invalid("Choose one of the email categories.", field="category")
    if enabled == CATEGORY_DEFAULTS[category]:
        Preference.objects.filter(user=user, group=group, category=category).delete()
        return
    Preference.objects.update_or_create(
        user=user, group=group, category=category, defaults={"enabled": enabled}
    )


def preferences_update(*, user: AbstractBaseUser, group: Group, choices: dict[str, bool]) -> None:
    """Set several categories of one group at once (the preferences page's form)."""
    with transaction.atomic():
        for category, enabled in choices.items():
            preference_set(user=user, group=group, category=category, enabled=enabled)


def unsubscribe_confirm(*, link: UnsubscribeLink) -> None:
    """What a one-click unsubscribe (or the confirm button) does: that category off."""
    preference_set(user=link.user, group=link.group, category=link.category, enabled=False)


def event_announce(*, event: Event) -> bool:
    """Queue the new-event email for a just-published event, unless it was ever queued before.

    The `EventAnnounced` marker (one per event, a unique constraint) is written in the same
    transaction as the task is enqueued: with the database task backend both commit or
    neither does, so republishing, re-saving or a second publish racing this one never emails
    the members twice. Events that are already over are not announced. Returns whether the
    email was queued.
    """
    if event.status != Event.Status.PUBLISHED or event.is_past:
        return False
    with transaction.atomic():
        _marker, created = EventAnnounced.objects.get_or_create(event=event)
        if created:
            tasks.send_event_published.enqueue(event_id=event.pk)
    return created


def _announcement_fields(subject: str, body: str) -> tuple[str, str]:
    subject = require_single_line(subject, field="subject", message=SUBJECT_ONE_LINE)
    body = require_multi_line(body, field="body").strip()
    if not subject:
        raise invalid("Write a subject.", field="subject")
    if not body:
        raise invalid("Write the announcement.", field="body")
    if len(subject) > Announcement.SUBJECT_MAX_LENGTH:
        limit = Announcement.SUBJECT_MAX_LENGTH
        raise invalid(f"Keep the subject to {limit} characters.", field="subject")
    if len(body) > Announcement.BODY_MAX_LENGTH:
        raise invalid(
            f"Keep the announcement to {Announcement.BODY_MAX_LENGTH} characters.", field="body"
        )
    return subject, body


def _check_group_budget(group: Group) -> None:
    limit = settings.NOTIFY_ANNOUNCEMENTS_PER_DAY
    since = timezone.now() - timedelta(days=1)
    if Announcement.objects.filter(group=group, created_at__gte=since).count() >= limit:
        raise ServiceError(
            f"{group.name} has sent {limit} announcements in the last 24 hours, the most it "
            "may; try again tomorrow.",
            kind=Kind.RATE_LIMITED,
        )


def announcement_check(*, user: AbstractBaseUser, group: Group, subject: str, body: str) -> int:
    """How many members the announcement would reach (the preview), or the refusal sending it
    would give. Nothing is sent or recorded."""
    require_announcer(user, group)
    _announcement_fields(subject, body)
    _check_group_budget(group)
    count = selectors.members_wanting(group=group, category="announcements").count()
    if not count:
        raise conflict("No member of this group wants announcements yet.")
    return count


def announcement_send(
    *, user: AbstractBaseUser, group: Group, subject: str, body: str
) -> Announcement:
    """Record the announcement and queue its emails (one task, in the same transaction).

    At most `settings.NOTIFY_ANNOUNCEMENTS_PER_DAY` per group in any 24 hours (the group row is
    locked while counting, so two organisers sending at once cannot both pass the last slot).
    The task decides the recipients when it runs: the active members who want announcements,
    each with their own unsubscribe link; it records how many and when.
    """
    require_announcer(user, group)
    subject, body = _announcement_fields(subject, body)
    with transaction.atomic():
        Group.objects.select_for_update().filter(pk=group.pk).first()
        _check_group_budget(group)
        if not selectors.members_wanting(group=group, category="announcements").exists():
            raise conflict("No member of this group wants announcements yet.")
        announcement = Announcement.objects.create(
            group=group, sender=user, subject=subject, body=body
        )
        tasks.send_announcement.enqueue(announcement_id=announcement.pk)
    announcement.refresh_from_db()
    return announcement


__all__ = [
    "announcement_check",
    "announcement_send",
    "check_category",
    "event_announce",
    "preference_set",
    "preferences_update",
    "unsubscribe_confirm",
]
