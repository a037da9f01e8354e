"""RSVPs (seats and waitlist), per-event RSVP settings, tickets and check-ins.

Seats are counted, not stored: the seats an event has taken are the `1 + guests` of its going
RSVPs. Every write that can change that sum goes through `rsvp.services`, under a lock on the
event row, so the sum never exceeds `Event.capacity`.
"""

import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse

from meetups.models import Event

TICKET_TOKEN_BYTES = 24  # 32 url-safe characters: unguessable, short enough for a small QR


def new_ticket_token() -> str:
    return secrets.token_urlsafe(TICKET_TOKEN_BYTES)


class RsvpSettings(models.Model):
    """The RSVP rules of one event; created on demand, every field empty means the default."""

    DEFAULT_GUESTS_ALLOWED = 1

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="rsvp_settings")
    guests_allowed = models.PositiveSmallIntegerField(
        default=DEFAULT_GUESTS_ALLOWED, help_text="Guests each member may bring (0 for none)."
    )
    opens_at = models.DateTimeField(
        null=True, blank=True, help_text="When RSVPs open. Empty: as soon as it is published."
    )
    closes_at = models.DateTimeField(
        null=True, blank=True, help_text="When RSVPs close. Empty: when the event starts."
    )
    waitlist_cutoff_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="After this nobody is promoted from the waitlist. Empty: when the event starts.",
    )

    class Meta:
        verbose_name = "RSVP settings"
        verbose_name_plural = "RSVP settings"

    def __str__(self) -> str:
        return f"RSVP settings for {self.event}"

    def closes(self, event: Event) -> datetime:
        return self.closes_at or event.starts_at

    def cutoff(self, event: Event) -> datetime:
        return self.waitlist_cutoff_at or event.starts_at


class RsvpQuerySet(models.QuerySet):
    def going(self) -> "RsvpQuerySet":
        return self.filter(status=Rsvp.Status.GOING)

    def waitlisted(self) -> "RsvpQuerySet":
        return self.filter(status=Rsvp.Status.WAITLISTED).order_by("queued_at", "pk")

    def active(self) -> "RsvpQuerySet":
        return self.exclude(status=Rsvp.Status.CANCELLED)


class Rsvp(models.Model):
    class Status(models.TextChoices):
        GOING = "going", "Going"
        WAITLISTED = "waitlisted", "Waitlisted"
        CANCELLED = "cancelled", "Cancelled"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rsvps"
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    guests = models.PositiveSmallIntegerField(default=0)
    # Place in the waitlist: set when the RSVP (re)joins, so order is arrival order.
    queued_at = models.DateTimeField()
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    # "Show me on the list of who's going": each person chooses per RSVP, changeable later.
    listed = models.BooleanField(
        default=True, help_text="Shown by name on the event page's list of who's going."
    )
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The door checks people in one by one: `checked_in_at` is the RSVP's own person, this is
    # how many of their guests are in (guests may arrive before or after them).
    guests_checked_in = models.PositiveSmallIntegerField(default=0)
    # Registered at the door (`rsvp.services.door.door_walk_in`): the person has no account of
    # their own (an inactive user holds the name), so their email, if given, is kept here
    # rather than on that user, where it would block them signing up with it later.
    is_walk_in = models.BooleanField(default=False)
    walk_in_email = models.EmailField(blank=True)
    ticket_token = models.CharField(max_length=64, unique=True, default=new_ticket_token)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RsvpQuerySet.as_manager()

    class Meta:
        ordering = ["event", "queued_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="rsvp_one_per_person"),
            models.CheckConstraint(
                condition=Q(checked_in_at__isnull=True) | Q(status="going"),
                name="rsvp_only_going_checks_in",
            ),
            models.CheckConstraint(
                condition=Q(guests_checked_in=0) | Q(status="going"),
                name="rsvp_only_going_guests_check_in",
            ),
        ]
        indexes = [models.Index(fields=["event", "status", "queued_at"])]

    def __str__(self) -> str:
        return f"{self.user} → {self.event} ({self.status})"

    @property
    def seats(self) -> int:
        return 1 + self.guests

    @property
    def is_going(self) -> bool:
        return self.status == self.Status.GOING

    @property
    def is_waitlisted(self) -> bool:
        return self.status == self.Status.WAITLISTED

    @property
    def is_checked_in(self) -> bool:
        return self.checked_in_at is not None

    def get_ticket_url(self) -> str:
        return reverse("rsvp:ticket", kwargs={"pk": self.pk})

    def get_check_in_url(self) -> str:
        return reverse("rsvp:ticket_check_in", kwargs={"token": self.ticket_token})


def seats_going(prefix: str = "") -> Coalesce:
    """Seats held, as an aggregate: 1 + guests summed over going RSVPs (0 when none).
    `prefix` is the path from the queried model to the RSVP (`"rsvps__"` from an event)."""
    return Coalesce(
        Sum(F(f"{prefix}guests") + 1, filter=Q(**{f"{prefix}status": Rsvp.Status.GOING})), 0
    )
