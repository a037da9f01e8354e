"""Who wants which emails from which group, what has been announced, and what organisers sent.

A `Preference` row exists only where a member changed a category away from its default
(`CATEGORY_DEFAULTS`: every category on); absence means the default. So "who wants new-event
emails of this group" is the group's active members minus one small set of opted-out rows,
one query whatever the group's size.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from meetups.models import Event, Group


class Category(models.TextChoices):
    EVENTS = "events", "New events"
    REMINDERS = "reminders", "Reminders before events you're going to"
    ANNOUNCEMENTS = "announcements", "Announcements from the organisers"
    RECAPS = "recaps", "Recaps after events you went to"


# What a member gets until they say otherwise: everything. Joining a group is asking to hear
# from it; every email carries a one-click unsubscribe for its category.
CATEGORY_DEFAULTS: dict[str, bool] = {category: True for category in Category.values}


class Preference(models.Model):
    """One member's choice for one category of one group's emails, where not the default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences"
    )
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="email_preferences")
    category = models.CharField(max_length=16, choices=Category.choices)
    enabled = models.BooleanField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "group", "category"], name="notify_preference_once"
            ),
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="notify_preference_category"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.group_id} {self.category}={self.enabled}"


class EventAnnounced(models.Model):
    """The marker that an event's "new event" email was queued: at most one per event, ever,
    so re-saving, unpublishing and republishing never email the members again."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="announced")
    announced_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.event_id} announced {self.announced_at:%Y-%m-%d %H:%M}"


class Announcement(models.Model):
    """An organiser's email to every member of a group who wants announcements."""

    SUBJECT_MAX_LENGTH = 150
    BODY_MAX_LENGTH = 5000

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="announcements")
    # Kept when the sender's account is erased: the group's record of what it sent.
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="announcements_sent",
    )
    subject = models.CharField(max_length=SUBJECT_MAX_LENGTH)
    body = models.TextField(max_length=BODY_MAX_LENGTH, help_text="Markdown.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    recipient_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["group", "created_at"])]

    def __str__(self) -> str:
        return self.subject
