"""Remember when each talk was first on stage: live keeps only the talk on stage now.

Live's state is saved with a new current talk by `live.services.live_current_talk_set` (and
created with one by its demo); this records the first time, inside the same transaction.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from live.models import LiveState

from .models import TalkOnStage


@receiver(post_save, sender=LiveState, dispatch_uid="feedback.talk_on_stage")
def remember_talk_on_stage(sender, instance: LiveState, **kwargs) -> None:
    if kwargs.get("raw") or instance.current_talk_id is None:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "current_talk" not in update_fields:
        return  # a pin or a setting: the talk on stage did not change
    TalkOnStage.objects.get_or_create(
        talk_id=instance.current_talk_id, defaults={"first_at": timezone.now()}
    )
