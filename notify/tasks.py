"""The emails notify sends, as background tasks: a new event, an organiser's announcement.

Both are non-transactional: each person's message carries their own one-click unsubscribe
(`List-Unsubscribe` + `List-Unsubscribe-Post`, and the same link in the footer) for that
category of that group. Recipients are read when the task runs (the members who want the
category then), and messages go out over one connection per batch of `BATCH_SIZE`.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from meetups.markdown import render_markdown
from meetups.models import Event
from portal.email import email_message, email_send_batch
from portal.people import display_name

from .models import Announcement, Category, EventAnnounced
from .selectors import members_wanting
from .unsubscribe import unsubscribe_headers, unsubscribe_url

logger = logging.getLogger(__name__)

BATCH_SIZE = 100


def _footer_links(*, user, group, category: str) -> list[tuple[str, str]]:
    return [
        (
            f"Unsubscribe from {Category(category).label.lower()} of {group.name}",
            unsubscribe_url(user=user, group=group, category=category),
        ),
        ("All your email preferences", settings.SITE_URL + reverse("notify:preferences")),
    ]


def _send_to_members(
    *, group, category: str, subject: str, template: str, context: dict, reason: str
) -> int:
    sent = 0
    batch = []
    for user in members_wanting(group=group, category=category).iterator(chunk_size=BATCH_SIZE):
        batch.append(
            email_message(
                to=user.email,
                subject=subject,
                template=template,
                context={**context, "user": user, "name": display_name(user)},
                reason=reason,
                headers=unsubscribe_headers(user=user, group=group, category=category),
                footer_links=_footer_links(user=user, group=group, category=category),
            )
        )
        if len(batch) == BATCH_SIZE:
            sent += email_send_batch(batch)
            batch = []
    return sent + email_send_batch(batch)


@task
def send_event_published(event_id: int) -> int:
    """'New event' to the group's members who want new-event emails; returns how many went.

    An event unpublished before this runs is not announced, and its marker is removed so that
    publishing it again announces it then (nobody has been told yet).
    """
    event = Event.objects.select_related("group", "venue").filter(pk=event_id).first()
    if event is None:
        return 0
    if event.status != Event.Status.PUBLISHED:
        if event.status == Event.Status.DRAFT:
            EventAnnounced.objects.filter(event=event).delete()
        return 0
    group = event.group
    return _send_to_members(
        group=group,
        category=Category.EVENTS,
        subject=f"New event: {event.title}",
        template="notify/event_published",
        context={
            "event": event,
            "group": group,
            "event_url": settings.SITE_URL + event.get_absolute_url(),
            "description": render_markdown(event.description),
        },
        reason=f"You get this because you are a member of {group.name} and asked to hear "
        "about its new events.",
    )


@task
def send_announcement(announcement_id: int) -> int:
    """An organiser's announcement to the members who want announcements; records how many
    it went to and when (or that it failed, before the failure is raised to the backend)."""
    announcement = (
        Announcement.objects.select_related("group", "sender").filter(pk=announcement_id).first()
    )
    if announcement is None or announcement.status != Announcement.Status.QUEUED:
        return 0
    group = announcement.group
    try:
        sent = _send_to_members(
            group=group,
            category=Category.ANNOUNCEMENTS,
            subject=f"[{group.name}] {announcement.subject}",
            template="notify/announcement",
            context={
                "announcement": announcement,
                "group": group,
                "body_html": render_markdown(announcement.body),
                "sender_name": display_name(announcement.sender) if announcement.sender else "",
                "group_url": settings.SITE_URL + group.get_absolute_url(),
            },
            reason=f"You get this because you are a member of {group.name} and asked for "
            "announcements from its organisers.",
        )
    except Exception:
        logger.exception("announcement %s failed", announcement.pk)
        Announcement.objects.filter(pk=announcement.pk).update(status=Announcement.Status.FAILED)
        raise
    with transaction.atomic():
        Announcement.objects.filter(pk=announcement.pk).update(
            status=Announcement.Status.SENT, recipient_count=sent, sent_at=timezone.now()
        )
    return sent
