"""What meetups holds about a person: the slides and links they attached to talks, their
speaker profile and the groups they organise.

On erasure the resources stay with their talks (they are the talk's, shown on its page); only
the link to the person who uploaded them is dropped.

A speaker profile with talks keeps its row, since the talks are public record, but loses
everything that named the person: its name becomes "Deleted speaker", its slug a neutral one
(the old one was made from the name), its bio, links and photo go, and it is no longer tied to
the account. One with no talks is deleted. The account leaves the organisers of every group
and stops being a group's owner.
"""

from django.db import transaction
from django.dispatch import receiver

from portal.personal_data import account_erasing, personal_data_requested

from .models import Group, Speaker, TalkResource

DELETED_SPEAKER_NAME = "Deleted speaker"


@receiver(personal_data_requested, dispatch_uid="meetups.talk_resources")
def export_talk_resources(sender, *, user, **kwargs):
    """Metadata only: which talk, what, when; never the file itself."""
    resources = TalkResource.objects.filter(uploaded_by=user).select_related("talk")
    return "talk_resources", [
        {
            "talk": resource.talk.slug,
            "kind": resource.kind,
            "title": resource.title,
            "url": resource.url,
            "file_name": resource.file_name,
            "file_size": resource.file_size,
            "start_seconds": resource.start_seconds,
            "created_at": resource.created_at.isoformat(),
        }
        for resource in resources.order_by("created_at", "pk")
    ]


@receiver(account_erasing, dispatch_uid="meetups.talk_resources")
def forget_uploader(sender, *, user, **kwargs):
    TalkResource.objects.filter(uploaded_by=user).update(uploaded_by=None)


@receiver(personal_data_requested, dispatch_uid="meetups.personal_data.speaker")
def export_speaker_profile(sender, user, **kwargs):
    speaker = Speaker.objects.filter(user=user).prefetch_related("links", "talks").first()
    if speaker is None:
        return "speaker_profile", None
    return "speaker_profile", {
        "name": speaker.name,
        "url": speaker.get_absolute_url(),
        "bio": speaker.bio,
        "has_photo": bool(speaker.photo),
        "links": [{"label": link.label, "url": link.url} for link in speaker.links.all()],
        "talks": sorted(talk.title for talk in speaker.talks.all()),
    }


@receiver(personal_data_requested, dispatch_uid="meetups.personal_data.groups")
def export_organised_groups(sender, user, **kwargs):
    groups = Group.objects.filter(organisers=user).order_by("name", "pk")
    return "organised_groups", [{"name": g.name, "url": g.get_absolute_url()} for g in groups]


@receiver(account_erasing, dispatch_uid="meetups.personal_data.speaker")
def erase_speaker_profile(sender, user, **kwargs) -> None:
    speaker = Speaker.objects.filter(user=user).first()
    if speaker is None:
        return
    photo = speaker.photo.name if speaker.photo else ""
    if photo:
        storage = speaker.photo.storage
        transaction.on_commit(lambda: storage.delete(photo), robust=True)
    if not speaker.talks.exists():
        speaker.delete()
        return
    speaker.links.all().delete()
    speaker.name = DELETED_SPEAKER_NAME
    speaker.slug = f"deleted-speaker-{speaker.pk}"
    speaker.bio = ""
    speaker.photo = ""
    speaker.photo_content_type = ""
    speaker.user = None
    speaker.save()


@receiver(account_erasing, dispatch_uid="meetups.personal_data.groups")
def leave_groups(sender, user, **kwargs) -> None:
    user.organised_groups.clear()
    Group.objects.filter(owner=user).update(owner=None)
