"""Live event mode: the Q&A (questions and votes) and each event's live state."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from meetups.models import Event, Talk

QUESTION_MAX_LENGTH = 500


class LiveState(models.Model):
    """What the room sees right now, and how the event's Q&A is run (one row per event)."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="live_state")
    current_talk = models.ForeignKey(
        Talk, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pinned_question = models.ForeignKey(
        "Question", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    premoderate = models.BooleanField(
        default=False, help_text="New questions wait in a queue until an organiser approves them."
    )
    accepting_questions = models.BooleanField(default=True)
    # +1 in every transaction that changes what the room sees; broadcasts carry it, so a hub
    # can drop a frame that arrives after a newer one (broadcasts from several processes).
    revision = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Live state of {self.event}"


class TalkQASettings(models.Model):
    """A talk's own Q&A rules, where they differ from its event's."""

    talk = models.OneToOneField(Talk, on_delete=models.CASCADE, related_name="qa_settings")
    premoderate = models.BooleanField(
        null=True, blank=True, help_text="Empty: as the event. Yes/no: this talk decides."
    )

    class Meta:
        verbose_name = "talk Q&A settings"
        verbose_name_plural = "talk Q&A settings"

    def __str__(self) -> str:
        return f"Q&A settings of {self.talk}"


class QuestionQuerySet(models.QuerySet):
    def visible(self) -> "QuestionQuerySet":
        return self.filter(status=Question.Status.VISIBLE)


class Question(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        VISIBLE = "visible", "Visible"
        HIDDEN = "hidden", "Hidden"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    # None: a question to the event as a whole rather than to one talk.
    talk = models.ForeignKey(
        Talk, null=True, blank=True, on_delete=models.CASCADE, related_name="questions"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="live_questions"
    )
    text = models.TextField(max_length=QUESTION_MAX_LENGTH)
    is_anonymous = models.BooleanField(
        default=False, help_text="Hide the author's name from the room (organisers still see it)."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VISIBLE)
    answered_at = models.DateTimeField(null=True, blank=True)
    # Denormalised for sorting; kept right by the vote services under the vote's constraint.
    vote_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["-vote_count", "-created_at", "-pk"]
        indexes = [models.Index(fields=["event", "talk", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), QUESTION_MAX_LENGTH),
                name="question_text_max_length",
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class QuestionVote(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="live_question_votes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "user"], name="one_vote_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} ▲ {self.question_id}"


POLL_QUESTION_MAX_LENGTH = 200
POLL_OPTION_MAX_LENGTH = 100
POLL_MIN_OPTIONS = 2
POLL_MAX_OPTIONS = 8


class PollQuerySet(models.QuerySet):
    def for_event(self, event_id: int) -> "PollQuerySet":
        return self.filter(event_id=event_id)

    def shown(self) -> "PollQuerySet":
        """Opened at least once: what the room may see (drafts are their authors' own)."""
        return self.exclude(status=Poll.Status.DRAFT)


class Poll(models.Model):
    """A question to the room with 2 to 8 options, for one talk or (talk None) the whole event."""

    class Kind(models.TextChoices):
        SINGLE = "single", "One answer"
        MULTIPLE = "multiple", "Several answers"

    class Status(models.TextChoices):
        DRAFT = "draft", "Prepared"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Results(models.TextChoices):
        LIVE = "live", "Show results while voting"
        REVEAL = "reveal", "Show results only when revealed"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="polls")
    talk = models.ForeignKey(
        Talk, null=True, blank=True, on_delete=models.CASCADE, related_name="polls"
    )
    question = models.CharField(max_length=POLL_QUESTION_MAX_LENGTH)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    results = models.CharField(max_length=10, choices=Results.choices, default=Results.LIVE)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    revealed_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Frozen when it closes: the archive keeps its counts after a voter's account is erased.
    final_ballots = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="live_polls_created",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PollQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # One open poll per talk, and one open event-wide poll per event.
            models.UniqueConstraint(
                fields=["talk"],
                condition=models.Q(status="open", talk__isnull=False),
                name="one_open_poll_per_talk",
            ),
            models.UniqueConstraint(
                fields=["event"],
                condition=models.Q(status="open", talk__isnull=True),
                name="one_open_event_poll",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("question"), POLL_QUESTION_MAX_LENGTH),
                name="poll_question_max_length",
            ),
        ]

    def __str__(self) -> str:
        return self.question[:60]

    @property
    def results_public(self) -> bool:
        """Whether the room sees the results: shown while voting, revealed, or closed."""
        return (
            self.results == self.Results.LIVE
            or self.revealed_at is not None
            or self.status == self.Status.CLOSED
        )


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(max_length=POLL_OPTION_MAX_LENGTH)
    position = models.PositiveSmallIntegerField()
    final_votes = models.PositiveIntegerField(null=True, blank=True)  # set when the poll closes

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "position"], name="poll_option_position"),
            models.UniqueConstraint(fields=["poll", "text"], name="poll_option_text_unique"),
        ]

    def __str__(self) -> str:
        return self.text


class PollBallot(models.Model):
    """One person's answer to one poll (one or several options); changeable until it closes."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="live_poll_ballots"
    )
    options = models.ManyToManyField(PollOption, related_name="ballots")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "user"], name="one_ballot_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} on poll {self.poll_id}"
