"""Groups, venues, events, speakers and talks: the archive every other app hangs off."""

import secrets
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

TIME_ZONE_CHOICES = sorted((tz, tz) for tz in zoneinfo.available_timezones() if "/" in tz)


def unique_slug(model: type[models.Model], value: str, *, exclude_pk: int | None = None) -> str:
    """A slug for `value` that no other row of `model` uses (suffixing -2, -3, ...)."""
    base = slugify(value)[:70] or "item"
    candidate, n = base, 1
    existing = model._default_manager.exclude(pk=exclude_pk)
    while existing.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


class Group(models.Model):
    """A community, e.g. the Sydney Django users group, run by its organisers."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    tagline = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True, help_text="Markdown.")
    time_zone = models.CharField(
        max_length=64, choices=TIME_ZONE_CHOICES, default="Australia/Sydney"
    )
    website = models.URLField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_groups",
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="organised_groups"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("meetups:group_detail", kwargs={"slug": self.slug})


class Venue(models.Model):
    name = models.CharField(max_length=120)
    address = models.CharField(max_length=250, blank=True)
    city = models.CharField(max_length=80, blank=True)
    directions = models.TextField(blank=True, help_text="Markdown: entry, floor, accessibility.")
    map_url = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Sponsor(models.Model):
    """An organisation that hosts or supports events."""

    name = models.CharField(max_length=120, unique=True)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EventQuerySet(models.QuerySet):
    def published(self) -> "EventQuerySet":
        """Visible to the public: published or cancelled (cancellations stay listed)."""
        return self.exclude(status=Event.Status.DRAFT)

    def upcoming(self, now=None) -> "EventQuerySet":
        return self.filter(ends_at__gte=now or timezone.now()).order_by("starts_at")

    def past(self, now=None) -> "EventQuerySet":
        return self.filter(ends_at__lt=now or timezone.now()).order_by("-starts_at")


class Event(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="events")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(
        max_length=64, choices=TIME_ZONE_CHOICES, default="Australia/Sydney"
    )
    venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    host_sponsor = models.ForeignKey(
        Sponsor, null=True, blank=True, on_delete=models.SET_NULL, related_name="hosted_events"
    )
    description = models.TextField(blank=True, help_text="Markdown.")
    capacity = models.PositiveIntegerField(default=50)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    recording_url = models.URLField(blank=True)
    external_url = models.URLField(blank=True, help_text="The event's page elsewhere.")
    recorded_attendance = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many people came (past events)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetups:event_detail", kwargs={"slug": self.slug})

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


def speaker_photo_path(instance: "Speaker", filename: str) -> str:
    """A random name: the uploader's filename never reaches the disk or a URL."""
    return f"speakers/{secrets.token_urlsafe(16)}"


class Speaker(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    bio = models.TextField(blank=True, help_text="Markdown.")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="speaker_profile",
    )
    # Validated (type by magic bytes, size) in meetups.services; served by a view that sets
    # the content type recorded here, never one guessed from the name.
    photo = models.FileField(upload_to=speaker_photo_path, blank=True)
    photo_content_type = models.CharField(max_length=20, blank=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("meetups:speaker_detail", kwargs={"slug": self.slug})


class SpeakerLink(models.Model):
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="links")
    label = models.CharField(max_length=40)
    url = models.URLField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.label}: {self.url}"


class Talk(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="talks")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    abstract = models.TextField(blank=True, help_text="Markdown.")
    speakers = models.ManyToManyField(Speaker, blank=True, related_name="talks")
    duration_minutes = models.PositiveSmallIntegerField(default=20)
    order = models.PositiveSmallIntegerField(default=0, help_text="Position in the agenda.")
    slides_url = models.URLField(blank=True)
    source_url = models.URLField(blank=True)
    video_url = models.URLField(blank=True)

    class Meta:
        ordering = ["event", "order", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetups:talk_detail", kwargs={"slug": self.slug})


# --- Call for talks: talk ideas, proposals, audience votes and organiser reviews ---------------


DEFAULT_TALK_LENGTHS = "5,10,20,30"


class CallForTalks(models.Model):
    """A group's rolling call for talks: when proposals and votes are taken, and voting rules.

    No dates means "always": a call with neither `opens_at` nor `closes_at` is open all year.
    """

    class Tallies(models.TextChoices):
        PUBLIC = "public", "Public while voting is open"
        ON_CLOSE = "on_close", "Revealed when voting closes"

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="call_for_talks")
    opens_at = models.DateTimeField(null=True, blank=True, help_text="Empty: open already.")
    closes_at = models.DateTimeField(null=True, blank=True, help_text="Empty: open all year.")
    talk_lengths = models.CharField(
        max_length=60,
        default=DEFAULT_TALK_LENGTHS,
        help_text="Allowed lengths in minutes, comma-separated (5 is a lightning talk).",
    )
    members_may_post_ideas = models.BooleanField(default=True)
    voting_opens_at = models.DateTimeField(null=True, blank=True)
    voting_closes_at = models.DateTimeField(null=True, blank=True)
    tallies = models.CharField(max_length=10, choices=Tallies.choices, default=Tallies.ON_CLOSE)
    voting_requires_rsvp = models.BooleanField(
        default=False, help_text="Only members who RSVP'd to or attended an event may vote."
    )

    class Meta:
        verbose_name_plural = "calls for talks"

    def __str__(self) -> str:
        return f"Call for talks: {self.group}"

    @property
    def length_choices(self) -> list[int]:
        lengths = set()
        for part in self.talk_lengths.split(","):
            if part.strip().isdigit() and 0 < int(part) <= 240:
                lengths.add(int(part))
        return sorted(lengths) or [int(n) for n in DEFAULT_TALK_LENGTHS.split(",")]

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (self.opens_at is None or self.opens_at <= now) and (
            self.closes_at is None or now < self.closes_at
        )

    def voting_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        if self.voting_opens_at is None:
            return False
        return self.voting_opens_at <= now and (
            self.voting_closes_at is None or now < self.voting_closes_at
        )

    def voting_has_closed(self, now=None) -> bool:
        now = now or timezone.now()
        return self.voting_closes_at is not None and self.voting_closes_at <= now

    def tallies_visible(self, now=None) -> bool:
        """Whether members (not organisers, who always see them) may see vote counts."""
        if self.voting_has_closed(now):
            return True
        return self.tallies == self.Tallies.PUBLIC and self.voting_is_open(now)


class TalkIdea(models.Model):
    """A topic the group would like to hear about; speakers may propose against it."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="talk_ideas")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="talk_ideas",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["group", "title"], name="talk_idea_unique_title")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetups:idea_detail", kwargs={"slug": self.group.slug, "pk": self.pk})


class IdeaVote(models.Model):
    idea = models.ForeignKey(TalkIdea, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_votes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="idea_vote_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} for {self.idea}"


class Proposal(models.Model):
    """A talk a member offers to give at one of the group's events."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        IN_VOTING = "in_voting", "In voting"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        SCHEDULED = "scheduled", "Scheduled"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Level(models.TextChoices):
        EVERYONE = "everyone", "Everyone"
        BEGINNER = "beginner", "Beginner"
        INTERMEDIATE = "intermediate", "Intermediate"
        ADVANCED = "advanced", "Advanced"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="proposals")
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposals"
    )
    idea = models.ForeignKey(
        TalkIdea, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    title = models.CharField(max_length=200)
    abstract = models.TextField(help_text="Markdown.")
    length_minutes = models.PositiveSmallIntegerField()
    audience_level = models.CharField(max_length=12, choices=Level.choices, default=Level.EVERYONE)
    notes_for_organisers = models.TextField(blank=True)
    preferred_events = models.ManyToManyField(Event, blank=True, related_name="preferred_by")
    preferred_dates = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    decision_message = models.TextField(blank=True)
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    talk = models.OneToOneField(
        Talk, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposal"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    # Which statuses the public (voters, idea pages) may see; the rest stay between the speaker
    # and the organisers.
    PUBLIC_STATUSES = (Status.IN_VOTING, Status.ACCEPTED, Status.SCHEDULED)
    EDITABLE_STATUSES = (Status.SUBMITTED, Status.IN_VOTING)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["group", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(length_minutes__gt=0) & Q(length_minutes__lte=240),
                name="proposal_length_positive",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetups:proposal_detail", kwargs={"pk": self.pk})


class ProposalSpeaker(models.Model):
    """A co-speaker invited by email; they join by following the link in the invitation."""

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        ACCEPTED = "accepted", "Accepted"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="co_speakers")
    email = models.EmailField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="co_speaking",
    )
    token = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    invited_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "email"], name="co_speaker_once")
        ]

    def __str__(self) -> str:
        return f"{self.email} on {self.proposal}"


class ProposalVote(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposal_votes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="proposal_vote_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} for {self.proposal}"


class Review(models.Model):
    """One organiser's private score and note on a proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposal_reviews"
    )
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "reviewer"], name="review_once_per_reviewer"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=1) & Q(score__lte=5)),
                name="review_score_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.proposal}"


# --- Organiser tools (meetups/organise/): co-organiser invitations, messages to attendees ------


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


class OrganiserInvitation(models.Model):
    """An invitation, sent by email, to help organise a group; accepted once, within 14 days."""

    VALID_DAYS = 14

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="organiser_invitations")
    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token)
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
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.email} to organise {self.group}"

    def expires_at(self):
        from datetime import timedelta

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
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.subject} ({self.get_audience_display()}, {self.event})"
