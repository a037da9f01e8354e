"""Writes of talk feedback: give or change one's rating, forget a person's feedback."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import formats, timezone

from meetups.models import Talk
from portal.errors import ServiceError, conflict, forbidden, invalid, not_found
from portal.text import require_multi_line

from . import rules
from .models import COMMENT_MAX_LENGTH, RATING_MAX, RATING_MIN, TalkFeedback
from .rules import State


def feedback_refusal(*, user: AbstractBaseUser, talk: Talk) -> ServiceError | None:
    """Why `user` may not rate `talk` now, as the refusal `feedback_save` would raise; None
    when they may (`rules.can_give_feedback`). Pages show its message in place of the form."""
    if not rules.can_view_talk(user, talk):
        return not_found("No such talk.")
    if not user.is_authenticated:
        return forbidden("Log in to rate this talk.")
    if rules.is_talk_speaker(user, talk):
        return forbidden("Speakers cannot rate their own talk.")
    if not rules.was_there(user, talk):
        return forbidden(
            "Only people who were at the event can rate its talks: checked in at the door, or "
            "going where nobody was checked in."
        )
    state = rules.feedback_state(talk)
    if state == State.CANCELLED:
        return conflict("This event was cancelled, so its talks take no feedback.")
    if state == State.NOT_YET:
        return conflict("Feedback opens once this talk has been on stage.")
    if state == State.CLOSED:
        closed = formats.date_format(
            timezone.localtime(rules.closes_at(talk), talk.event.tzinfo), "j F Y"
        )
        return conflict(
            f"Feedback on this talk closed on {closed}, {rules.FEEDBACK_WINDOW.days} days "
            "after the event; it can no longer be given or changed."
        )
    return None


def clean_comment(comment: str) -> str:
    comment = require_multi_line(comment or "", field="comment").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise invalid(
            f"Keep the comment to {COMMENT_MAX_LENGTH} characters (it has {len(comment)}).",
            field="comment",
        )
    return comment


def feedback_save(
    *, user: AbstractBaseUser, talk: Talk, rating: int, comment: str = ""
) -> tuple[TalkFeedback, bool]:
    """Give `user`'s feedback on `talk`, or change it while the talk's feedback is open.
    Returns the row and whether it was created.

    Refuses (in this order) a talk the person may not see (NOT_FOUND), someone who may not
    rate it (FORBIDDEN: not signed in, a speaker of the talk, not at the event), a talk whose
    feedback is not open (CONFLICT: not on stage yet, closed, cancelled) and a rating outside
    1-5 or a comment too long or with control characters (INVALID, naming the field). The rate
    limit ("feedback.save") is the caller's. Nothing else happens: no email, no broadcast (the
    dashboard and the speaker's profile read the rows when they are next shown).
    """
    refusal = feedback_refusal(user=user, talk=talk)
    if refusal is not None:
        raise refusal
    if isinstance(rating, bool) or not isinstance(rating, int):
        raise invalid("Choose a rating from 1 to 5.", field="rating")
    if not RATING_MIN <= rating <= RATING_MAX:
        raise invalid("Choose a rating from 1 to 5.", field="rating")
    comment = clean_comment(comment)
    with transaction.atomic():
        # update_or_create locks the row it finds; two first ratings at once meet the unique
        # constraint, and the loser updates the winner's row.
        return TalkFeedback.objects.update_or_create(
            talk=talk, user=user, defaults={"rating": rating, "comment": comment}
        )


def feedback_erase(*, user: AbstractBaseUser) -> int:
    """Delete every rating and comment `user` gave (account erasure); returns how many.
    Deleted rather than anonymised: a comment is the person's own words."""
    deleted, _ = TalkFeedback.objects.filter(user=user).delete()
    return deleted
