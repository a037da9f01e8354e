"""Groups, venues, sponsors, events, speakers and talks: the base every other app builds on."""

import secrets
import zoneinfo

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from portal.text import validate_single_line

from .video import timestamp, watch_url_at

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

    name = models.CharField(max_length=120, validators=[validate_single_line])
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
    name = models.CharField(max_length=120, validators=[validate_single_line])
    address = models.CharField(max_length=250, blank=True, validators=[validate_single_line])
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
    title = models.CharField(max_length=200, validators=[validate_single_line])
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
    name = models.CharField(max_length=120, validators=[validate_single_line])
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


# A recording of one evening: a day is more than enough, and keeps `t=` links short.
RECORDING_START_MAX_SECONDS = 24 * 60 * 60


class Talk(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="talks")
    title = models.CharField(max_length=200, validators=[validate_single_line])
    slug = models.SlugField(max_length=80, unique=True)
    abstract = models.TextField(blank=True, help_text="Markdown.")
    speakers = models.ManyToManyField(Speaker, blank=True, related_name="talks")
    duration_minutes = models.PositiveSmallIntegerField(default=20)
    order = models.PositiveSmallIntegerField(default=0, help_text="Position in the agenda.")
    slides_url = models.URLField(blank=True)
    source_url = models.URLField(blank=True)
    video_url = models.URLField(blank=True)
    recording_start_seconds = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(RECORDING_START_MAX_SECONDS)],
        help_text="Where this talk starts in the evening's recording, in seconds "
        "(used when the talk has no video of its own).",
    )

    class Meta:
        ordering = ["event", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recording_start_seconds__lte=RECORDING_START_MAX_SECONDS),
                name="talk_recording_start_bounded",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetups:talk_detail", kwargs={"slug": self.slug})


def talk_resource_path(instance: "TalkResource", filename: str) -> str:
    """A random name: the uploaded name is kept in `file_name` for the download only."""
    return f"talk-resources/{secrets.token_urlsafe(18)}.pdf"


# A link or a download name: long enough for any real address, short enough to bound a row.
RESOURCE_URL_MAX_LENGTH = 500
RESOURCE_TITLE_MAX_LENGTH = 120
RESOURCE_FILE_NAME_MAX_LENGTH = 120


class TalkResource(models.Model):
    """Slides (an uploaded PDF or a link), source code or a video of one talk."""

    class Kind(models.TextChoices):
        SLIDES = "slides", "Slides"
        SOURCE = "source", "Source code"
        VIDEO = "video", "Video"

    talk = models.ForeignKey(Talk, on_delete=models.CASCADE, related_name="resources")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(
        max_length=RESOURCE_TITLE_MAX_LENGTH, blank=True, validators=[validate_single_line]
    )
    # Exactly one of a link and a file: an uploaded file is always a PDF of slides.
    url = models.URLField(max_length=RESOURCE_URL_MAX_LENGTH, blank=True)
    file = models.FileField(upload_to=talk_resource_path, blank=True)
    file_name = models.CharField(max_length=RESOURCE_FILE_NAME_MAX_LENGTH, blank=True)
    file_size = models.PositiveIntegerField(null=True, blank=True)
    start_seconds = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(RECORDING_START_MAX_SECONDS)]
    )
    # Kept on erasure of the account: the resource belongs to the talk (meetups/personal_data).
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="talk_resources",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["talk", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="") & Q(kind="slides")) | (~Q(url="") & Q(file="")),
                name="talk_resource_link_or_pdf",
            ),
            models.CheckConstraint(
                condition=Q(start_seconds__isnull=True)
                | (Q(kind="video") & Q(start_seconds__lte=RECORDING_START_MAX_SECONDS)),
                name="talk_resource_start_only_for_video",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()

    @property
    def is_file(self) -> bool:
        return bool(self.file)

    @property
    def href(self) -> str:
        """Where the talk page's link goes: the PDF's download, a video at its start time (the
        same `watch_url_at` as the evening's recording), or the link as given."""
        if self.file:
            return reverse(
                "meetups:talk_resource_file", kwargs={"slug": self.talk.slug, "pk": self.pk}
            )
        return watch_url_at(self.url, start=self.start_seconds)

    @property
    def starts_at(self) -> str:
        return timestamp(self.start_seconds) if self.start_seconds else ""
