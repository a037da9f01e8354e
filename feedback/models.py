"""Talk feedback: one rating (1-5) and an optional comment per person and talk, and when each
talk was first on stage (what opens its feedback before the event is over)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from meetups.models import Talk

RATING_MIN = 1
RATING_MAX = 5
COMMENT_MAX_LENGTH = 1000


class TalkFeedback(models.Model):
    talk = models.ForeignKey(Talk, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="talk_feedback"
    )
    rating = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "talk feedback"
        verbose_name_plural = "talk feedback"
        constraints = [
            models.UniqueConstraint(fields=["talk", "user"], name="feedback_one_per_person"),
            models.CheckConstraint(
                condition=Q(rating__gte=RATING_MIN, rating__lte=RATING_MAX),
                name="feedback_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("comment"), COMMENT_MAX_LENGTH),
                name="feedback_comment_max_length",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 for {self.talk_id} by {self.user_id}"


class TalkOnStage(models.Model):
    """The first time organisers set a talk as the one on stage (live's "current talk").

    Live keeps only the talk on stage now; this remembers that a talk has been on, so its
    feedback can open before the evening ends. Written by `feedback.receivers` when live's
    state is saved with a current talk."""

    talk = models.OneToOneField(
        Talk, on_delete=models.CASCADE, primary_key=True, related_name="on_stage"
    )
    first_at = models.DateTimeField()

    class Meta:
        verbose_name = "talk on stage"
        verbose_name_plural = "talks on stage"

    def __str__(self) -> str:
        return f"{self.talk_id} first on stage at {self.first_at:%Y-%m-%d %H:%M}"
