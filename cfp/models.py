"""The call for talks: a group's rolling call, talk ideas, proposals, votes and reviews.

These models lived in `meetups` until the apps were split by concern; they keep their tables.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from meetups.models import Event, Group, Talk
from portal.text import validate_single_line

DEFAULT_TALK_LENGTHS = "5,10,20,30"


class CallForTalksManager(models.Manager):
    def for_group(self, group: Group) -> "CallForTalks":
        """The group's call; a group that never configured one has the default (open all year,
        members may post ideas, no voting window) without a row being written."""
        call = self.filter(group=group).first() or self.model()
        call.group = group  # the caller's instance: asking the call's rules needs no query
        return call


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
    decisions_at = models.DateTimeField(
        null=True, blank=True, help_text="When speakers hear back. Empty: not announced yet."
    )

    objects = CallForTalksManager()

    class Meta:
        db_table = "meetups_callfortalks"  # kept from when it lived in meetups
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

    @property
    def time_zone(self) -> str:
        """The call's dates are shown in its group's time zone, as its events are."""
        return self.group.time_zone

    def tallies_visible(self, now=None) -> bool:
        """Whether members (not organisers, who always see them) may see vote counts."""
        if self.voting_has_closed(now):
            return True
        return self.tallies == self.Tallies.PUBLIC and self.voting_is_open(now)


class TalkIdea(models.Model):
    """A topic the group would like to hear about; speakers may propose against it."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="talk_ideas")
    title = models.CharField(max_length=200, validators=[validate_single_line])
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
        db_table = "meetups_talkidea"  # kept from when it lived in meetups
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["group", "title"], name="talk_idea_unique_title")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("cfp:idea_detail", kwargs={"slug": self.group.slug, "pk": self.pk})


class IdeaVote(models.Model):
    idea = models.ForeignKey(TalkIdea, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_votes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "meetups_ideavote"  # kept from when it lived in meetups
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
    title = models.CharField(max_length=200, validators=[validate_single_line])
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
        db_table = "meetups_proposal"  # kept from when it lived in meetups
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
        return reverse("cfp:proposal_detail", kwargs={"pk": self.pk})


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
        db_table = "meetups_proposalspeaker"  # kept from when it lived in meetups
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
        db_table = "meetups_proposalvote"  # kept from when it lived in meetups
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
        db_table = "meetups_review"  # kept from when it lived in meetups
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
