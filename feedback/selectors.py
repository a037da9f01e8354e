"""Reads of talk feedback: one's own rating, a talk's summary and entries, the summaries per
talk of an event (dashboard, talk CSV) and a speaker's own talks with their feedback."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Avg, Count, Prefetch, QuerySet
from django.utils import timezone

from meetups.models import Event, Talk
from meetups.selectors import talk_get_public

from .models import RATING_MAX, RATING_MIN, TalkFeedback

# The speaker's profile lists this many of their latest talks.
SPEAKER_TALKS_SHOWN = 20


@dataclass(frozen=True)
class Summary:
    count: int
    average: float | None  # to one decimal; None without ratings
    distribution: dict[int, int] = field(default_factory=dict)  # rating -> how many

    @property
    def bars(self) -> list[tuple[int, int, int]]:
        """(rating, count, percent of all), 5 down to 1, for the summary's bars."""
        return [
            (r, self.distribution.get(r, 0), round(100 * self.distribution.get(r, 0) / self.count))
            for r in range(RATING_MAX, RATING_MIN - 1, -1)
            if self.count
        ]


def _average(value) -> float | None:
    return None if value is None else round(float(value), 1)


def talk_get(*, slug: str) -> Talk:
    """A talk of a published or cancelled event, with its event, group and speakers (what
    `feedback.rules` asks); NOT_FOUND otherwise."""
    return talk_get_public(slug=slug)


def feedback_mine(*, user: AbstractBaseUser, talk: Talk) -> TalkFeedback | None:
    if not user.is_authenticated:
        return None
    return TalkFeedback.objects.filter(talk=talk, user=user).first()


def talk_feedback_summary(*, talk: Talk) -> Summary:
    """Count, average and how many gave each rating (one query)."""
    rows = dict(
        TalkFeedback.objects.filter(talk=talk)
        .order_by()
        .values("rating")
        .annotate(n=Count("pk"))
        .values_list("rating", "n")
    )
    count = sum(rows.values())
    average = sum(r * n for r, n in rows.items()) / count if count else None
    return Summary(count=count, average=_average(average), distribution=rows)


def talk_feedback_entries(*, talk: Talk, with_raters: bool) -> list[TalkFeedback]:
    """The talk's feedback, newest first; the raters loaded (one join) only for those who may
    see them (`rules.can_see_raters`)."""
    entries = TalkFeedback.objects.filter(talk=talk).order_by("-created_at", "-pk")
    if with_raters:
        entries = entries.select_related("user")
    return list(entries)


def _with_feedback_numbers(talks: QuerySet[Talk]) -> QuerySet[Talk]:
    return talks.annotate(
        feedback_count=Count("feedback", distinct=True),
        feedback_avg=Avg("feedback__rating"),
    )


def event_feedback_summaries(*, event: Event) -> list[tuple[Talk, Summary]]:
    """Each talk of the event in agenda order with its count and average (one query)."""
    talks = _with_feedback_numbers(Talk.objects.filter(event=event)).order_by("order", "pk")
    return [
        (talk, Summary(count=talk.feedback_count, average=_average(talk.feedback_avg)))
        for talk in talks
    ]


TALK_CSV_HEADER = [
    "talk",
    "speakers",
    "order",
    "duration_minutes",
    "feedback_count",
    "feedback_average",
]


def talk_csv_rows(*, event: Event):
    """The organiser's talk CSV (`portal.csv_export`): one row per talk, agenda order, with
    its feedback count and average (two queries: talks with numbers, speakers)."""
    talks = (
        _with_feedback_numbers(Talk.objects.filter(event=event))
        .prefetch_related("speakers")
        .order_by("order", "pk")
    )
    for talk in talks:
        yield (
            talk.title,
            ", ".join(speaker.name for speaker in talk.speakers.all()),
            talk.order,
            talk.duration_minutes,
            talk.feedback_count,
            "" if talk.feedback_avg is None else f"{_average(talk.feedback_avg):.1f}",
        )


def speaker_talks_with_feedback(*, user: AbstractBaseUser) -> list[Talk]:
    """The speaker's talks at events that have started (not cancelled), newest first, each
    with `feedback_summary` and `feedback_entries` (no rater loaded): three queries whatever
    the number of talks and ratings."""
    if not user.is_authenticated:
        return []
    talks = list(
        _with_feedback_numbers(
            Talk.objects.filter(
                speakers__user=user,
                event__starts_at__lte=timezone.now(),
                event__status=Event.Status.PUBLISHED,
            )
        )
        .select_related("event")
        .prefetch_related(
            Prefetch(
                "feedback",
                queryset=TalkFeedback.objects.order_by("-created_at", "-pk"),
                to_attr="feedback_entries",
            )
        )
        .order_by("-event__starts_at", "order", "pk")[:SPEAKER_TALKS_SHOWN]
    )
    for talk in talks:
        talk.feedback_summary = Summary(
            count=talk.feedback_count, average=_average(talk.feedback_avg)
        )
    return talks
