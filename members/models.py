"""Memberships of groups (with bans) and who may take part in a group's or an event's RSVPs and
live Q&A.

The policies sit here, one-to-one with `meetups.Group` and `meetups.Event`, so meetups needs no
migration; a missing row means the default. The rules that read them are `members.rules`
(membership, bans), `rsvp.rules` (who may RSVP) and `live.rules` (who may ask and vote), since
"people who RSVP'd" can only be checked by a layer that knows RSVPs.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from meetups.models import Event, Group
from portal.text import validate_single_line

BAN_REASON_MAX_LENGTH = 300


class MembershipQuerySet(models.QuerySet):
    def active(self) -> "MembershipQuerySet":
        return self.filter(state=Membership.State.ACTIVE)

    def banned(self) -> "MembershipQuerySet":
        return self.filter(state=Membership.State.BANNED)

    def listed(self) -> "MembershipQuerySet":
        """Active members who chose to be shown on the group's members page."""
        return self.active().filter(listed=True)


class Membership(models.Model):
    """One person in one group: a member, or banned from taking part (a ban keeps the row so
    the person cannot simply join again)."""

    class State(models.TextChoices):
        ACTIVE = "active", "Member"
        BANNED = "banned", "Banned"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    listed = models.BooleanField(
        default=True, help_text="Shown by name on the group's members page (the member chooses)."
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    banned_reason = models.CharField(
        max_length=BAN_REASON_MAX_LENGTH,
        blank=True,
        validators=[validate_single_line],
        help_text="Shown to the banned person.",
    )
    banned_at = models.DateTimeField(null=True, blank=True)
    banned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["group", "joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="membership_one_per_person"),
            models.CheckConstraint(
                condition=Q(state="banned", banned_at__isnull=False)
                | Q(state="active", banned_at__isnull=True, banned_reason=""),
                name="membership_ban_fields_match_state",
            ),
        ]
        indexes = [models.Index(fields=["group", "state", "joined_at"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.group} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state == self.State.ACTIVE

    @property
    def is_banned(self) -> bool:
        return self.state == self.State.BANNED


class RsvpAudience(models.TextChoices):
    ANYONE = "anyone", "Anyone signed in"
    MEMBERS = "members", "Members of the group"


class QaAudience(models.TextChoices):
    ANYONE = "anyone", "Anyone signed in"
    MEMBERS = "members", "Members of the group"
    RSVPD = "rsvpd", "People who RSVP'd (going)"
    CHECKED_IN = "checked_in", "People checked in at the door"


class GroupPolicy(models.Model):
    """A group's defaults for its events. An empty `qa_audience` follows the RSVP policy:
    members-only RSVPs make a members-only Q&A, else anyone signed in."""

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="member_policy")
    rsvp_audience = models.CharField(
        "Who may RSVP", max_length=12, choices=RsvpAudience.choices, default=RsvpAudience.ANYONE
    )
    qa_audience = models.CharField(
        "Who may ask and vote in live Q&A",
        max_length=12,
        choices=QaAudience.choices,
        blank=True,
        help_text="Empty: as the RSVP policy (members if RSVPs are for members).",
    )

    class Meta:
        verbose_name_plural = "group policies"

    def __str__(self) -> str:
        return f"Policy of {self.group}"


class EventPolicy(models.Model):
    """An event's own choice; each empty field means "same as the group"."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="member_policy")
    rsvp_audience = models.CharField(
        "Who may RSVP", max_length=12, choices=RsvpAudience.choices, blank=True
    )
    qa_audience = models.CharField(
        "Who may ask and vote in live Q&A", max_length=12, choices=QaAudience.choices, blank=True
    )

    class Meta:
        verbose_name_plural = "event policies"

    def __str__(self) -> str:
        return f"Policy of {self.event}"
