"""The organiser's records: co-organiser invitations and messages sent to attendees.

These models lived in `meetups` until the apps were split by concern; they keep their tables.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from meetups.models import Event, Group
from portal.invitations import TOKEN_MAX_LENGTH, invitation_token_new


def new_invitation_token() -> str:
    """The portal's invitation token (kept under this name: the migrations refer to it)."""
    return invitation_token_new()


class OrganiserInvitation(models.Model):
    """An invitation, sent by email, to help organise a group; accepted once, within 14 days."""

    VALID_DAYS = 14

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="organiser_invitations")
    email = models.EmailField()
    token = models.CharField(max_length=TOKEN_MAX_LENGTH, unique=True, default=new_invitation_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "meetups_organiserinvitation"  # kept from when it lived in meetups
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.email} to organise {self.group}"

    def expires_at(self):
        return self.created_at + timedelta(days=self.VALID_DAYS)

    def is_pending(self, now=None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and now < self.expires_at()


class AttendeeMessage(models.Model):
    """A record of one email an organiser sent to the people of an event."""

    class Audience(models.TextChoices):
        GOING = "going", "Going"
        WAITLISTED = "waitlisted", "Waitlisted"
        CHECKED_IN = "checked_in", "Checked in"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendee_messages")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    audience = models.CharField(max_length=12, choices=Audience.choices)
    subject = models.CharField(max_length=150)
    body = models.TextField(max_length=5000)
    recipient_count = models.PositiveIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "meetups_attendeemessage"  # kept from when it lived in meetups
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.subject} ({self.get_audience_display()}, {self.event})"
