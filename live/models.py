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

    def for_scope(self, *, event_id: int, talk_id: int | None) -> "QuestionQuerySet":
        """The Q&A of one talk, or of the event as a whole when `talk_id` is None."""
        return self.filter(event_id=event_id, talk_id=talk_id)


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
