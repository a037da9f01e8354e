"""Talk ideas: topics the group would like to hear about, posted, upvoted and deleted."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from meetups.models import Group
from members.rules import ban_refusal
from portal.errors import conflict, forbidden, invalid, not_found

from .. import rules
from ..models import CallForTalks, IdeaVote, TalkIdea


def idea_create(
    *, user: AbstractBaseUser, group: Group, title: str, description: str = ""
) -> TalkIdea:
    """Posts a talk idea; members may post only if the group's call allows it."""
    if not user.is_authenticated:
        raise forbidden("Log in to post a talk idea.")
    if not rules.can_post_idea(user, CallForTalks.objects.for_group(group)):
        raise forbidden(
            ban_refusal(user, group) or "Only organisers can post talk ideas in this group."
        )
    title = title.strip()
    if TalkIdea.objects.filter(group=group, title__iexact=title).exists():
        raise invalid("There is already an idea with this title.", field="title")
    return TalkIdea.objects.create(
        group=group, title=title, description=description.strip(), author=user
    )


def idea_delete(*, user: AbstractBaseUser, idea: TalkIdea) -> None:
    """Removes an idea (organisers, or its author while nobody has proposed against it)."""
    if not rules.can_delete_idea(user, idea):
        raise not_found("No idea found.")
    if not rules.is_cfp_organiser(user, idea) and idea.proposals.exists():
        raise conflict("Someone has proposed a talk for this idea, so it stays.")
    idea.delete()


def idea_vote_toggle(*, user: AbstractBaseUser, idea: TalkIdea) -> bool:
    """Adds the user's upvote, or removes it if they had one; returns whether it is now on."""
    if not rules.can_vote_on_idea(user, idea):
        raise forbidden(ban_refusal(user, idea) or "Log in to vote.")
    deleted, _ = IdeaVote.objects.filter(idea=idea, user=user).delete()
    if deleted:
        return False
    try:
        with transaction.atomic():
            IdeaVote.objects.create(idea=idea, user=user)
    except IntegrityError:
        pass  # a double click raced us here; the vote exists either way
    return True
