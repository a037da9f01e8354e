"""The person's talk feedback in their data export; deleted when their account is erased."""

from django.dispatch import receiver

from portal.personal_data import account_erasing, personal_data_requested

from .models import TalkFeedback
from .services import feedback_erase


@receiver(personal_data_requested, dispatch_uid="feedback.personal_data")
def export_feedback(sender, *, user, **kwargs) -> tuple[str, list[dict]]:
    rows = TalkFeedback.objects.filter(user=user).select_related("talk__event").order_by("pk")
    return "talk_feedback", [
        {
            "talk": row.talk.title,
            "talk_url": row.talk.get_absolute_url(),
            "event": row.talk.event.title,
            "rating": row.rating,
            "comment": row.comment,
            "created_at": row.created_at.isoformat(),
            "updated_at": row.updated_at.isoformat(),
        }
        for row in rows
    ]


@receiver(account_erasing, dispatch_uid="feedback.account_erasing")
def erase_feedback(sender, *, user, **kwargs) -> None:
    feedback_erase(user=user)
