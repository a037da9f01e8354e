"""Writes for the call for talks: ideas, speaker profiles, proposals, votes, reviews, line-up.

Every rule lives here once (who may act, when the call and the vote are open, which status may
follow which) so the pages and the API behave the same. Database constraints back the "once per
person" rules. Permission failures raise `Http404` for things the user may not even know about
and `CfpError` (a message for the user) for rules they can see.
"""

import secrets
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone

from meetups.models import Event, Group, Speaker, SpeakerLink, Talk, unique_slug
from meetups.rules import is_group_organiser

from . import tasks
from .models import (
    CallForTalks,
    IdeaVote,
    Proposal,
    ProposalSpeaker,
    ProposalVote,
    Review,
    TalkIdea,
)
from .selectors import call_for_talks_get, voter_is_eligible

PHOTO_MAX_BYTES = 2 * 1024 * 1024
# Checked against the file's first bytes, never its name or the browser's claimed type.
PHOTO_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
MAX_LINKS = 5
MAX_CO_SPEAKERS = 3

Status = Proposal.Status


class CfpError(Exception):
    """A rule the user broke; the message is safe to show them."""


# --- Call settings ------------------------------------------------------------------------------


def call_for_talks_update(*, user: AbstractBaseUser, group: Group, **fields) -> CallForTalks:
    """Creates or updates the group's call for talks (organisers only)."""
    if not is_group_organiser(user, group):
        raise Http404("No group found.")
    call, _ = CallForTalks.objects.get_or_create(group=group)
    for name, value in fields.items():
        setattr(call, name, value)
    call.full_clean()
    call.save()
    return call


# --- Talk ideas ---------------------------------------------------------------------------------


def idea_create(
    *, user: AbstractBaseUser, group: Group, title: str, description: str = ""
) -> TalkIdea:
    """Posts a talk idea; members may post only if the group's call allows it."""
    call = call_for_talks_get(group=group)
    if not user.is_authenticated:
        raise CfpError("Log in to post a talk idea.")
    if not (is_group_organiser(user, group) or call.members_may_post_ideas):
        raise CfpError("Only organisers can post talk ideas in this group.")
    title = title.strip()
    if TalkIdea.objects.filter(group=group, title__iexact=title).exists():
        raise CfpError("There is already an idea with this title.")
    return TalkIdea.objects.create(
        group=group, title=title, description=description.strip(), author=user
    )


def idea_delete(*, user: AbstractBaseUser, idea: TalkIdea) -> None:
    """Removes an idea (organisers, or its author while nobody has proposed against it)."""
    if is_group_organiser(user, idea.group):
        idea.delete()
        return
    if idea.author_id != user.pk:
        raise Http404("No idea found.")
    if idea.proposals.exists():
        raise CfpError("Someone has proposed a talk for this idea, so it stays.")
    idea.delete()


def idea_vote_toggle(*, user: AbstractBaseUser, idea: TalkIdea) -> bool:
    """Adds the user's upvote, or removes it if they had one; returns whether it is now on."""
    if not user.is_authenticated:
        raise CfpError("Log in to vote.")
    deleted, _ = IdeaVote.objects.filter(idea=idea, user=user).delete()
    if deleted:
        return False
    try:
        with transaction.atomic():
            IdeaVote.objects.create(idea=idea, user=user)
    except IntegrityError:
        pass  # a double click raced us here; the vote exists either way
    return True


# --- Speaker profiles ---------------------------------------------------------------------------


def photo_content_type(upload: UploadedFile) -> str:
    """The photo's real type from its first bytes; raises CfpError if it is not allowed."""
    if upload.size > PHOTO_MAX_BYTES:
        raise CfpError("The photo is larger than 2 MB.")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type in PHOTO_SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    raise CfpError("The photo must be a PNG, JPEG or WebP image.")


def speaker_profile_save(
    *,
    user: AbstractBaseUser,
    name: str,
    bio: str,
    links: list[tuple[str, str]] | None = None,
    photo: UploadedFile | None = None,
    remove_photo: bool = False,
) -> Speaker:
    """Creates or updates the user's speaker profile; `links` replaces the existing links.

    A new photo replaces (and deletes) the old file.
    """
    if not user.is_authenticated:
        raise CfpError("Log in to create a speaker profile.")
    name = name.strip()
    if not name:
        raise CfpError("Your name is required.")
    content_type = photo_content_type(photo) if photo else ""
    speaker = Speaker.objects.filter(user=user).first()
    if speaker is None:
        speaker = Speaker(user=user, slug=unique_slug(Speaker, name))
    speaker.name = name
    speaker.bio = bio.strip()
    old_photo = speaker.photo.name if speaker.photo else ""
    if photo:
        speaker.photo.save("photo", photo, save=False)
        speaker.photo_content_type = content_type
    elif remove_photo:
        speaker.photo = ""
        speaker.photo_content_type = ""
    speaker.save()
    if old_photo and old_photo != (speaker.photo.name or ""):
        speaker.photo.storage.delete(old_photo)
    if links is not None:
        speaker.links.all().delete()
        SpeakerLink.objects.bulk_create(
            SpeakerLink(speaker=speaker, label=label.strip()[:40], url=url)
            for label, url in links[:MAX_LINKS]
            if url
        )
    return speaker


def _speaker_for(user: AbstractBaseUser) -> Speaker:
    """The user's speaker profile, created from their name if they never filled one in."""
    speaker = Speaker.objects.filter(user=user).first()
    if speaker:
        return speaker
    name = user.get_full_name() or user.get_username()
    return Speaker.objects.create(user=user, name=name, slug=unique_slug(Speaker, name))


# --- Proposals ----------------------------------------------------------------------------------


def _check_fields(*, call: CallForTalks, group: Group, length_minutes: int, idea, events) -> None:
    if length_minutes not in call.length_choices:
        allowed = ", ".join(str(n) for n in call.length_choices)
        raise CfpError(f"Choose a length of {allowed} minutes.")
    if idea is not None and idea.group_id != group.pk:
        raise CfpError("That talk idea belongs to another group.")
    if any(event.group_id != group.pk for event in events):
        raise CfpError("Preferred events must be this group's events.")


def proposal_submit(
    *,
    user: AbstractBaseUser,
    group: Group,
    title: str,
    abstract: str,
    length_minutes: int,
    audience_level: str = Proposal.Level.EVERYONE,
    idea: TalkIdea | None = None,
    notes_for_organisers: str = "",
    preferred_events: list[Event] | tuple = (),
    preferred_dates: str = "",
    now: datetime | None = None,
) -> Proposal:
    """Submits a proposal while the group's call is open.

    The submitter gets a speaker profile if they had none (from their account name).
    """
    if not user.is_authenticated:
        raise CfpError("Log in to propose a talk.")
    call = call_for_talks_get(group=group)
    if not call.is_open(now):
        raise CfpError("The call for talks is closed.")
    _check_fields(
        call=call, group=group, length_minutes=length_minutes, idea=idea, events=preferred_events
    )
    with transaction.atomic():
        _speaker_for(user)
        proposal = Proposal.objects.create(
            group=group,
            submitter=user,
            title=title.strip(),
            abstract=abstract.strip(),
            length_minutes=length_minutes,
            audience_level=audience_level,
            idea=idea,
            notes_for_organisers=notes_for_organisers.strip(),
            preferred_dates=preferred_dates.strip(),
        )
        proposal.preferred_events.set(preferred_events)
    return proposal


def _own_proposal(user: AbstractBaseUser, proposal: Proposal) -> None:
    if not user.is_authenticated or proposal.submitter_id != user.pk:
        raise Http404("No proposal found.")


def _check_editable(proposal: Proposal, now: datetime | None) -> CallForTalks:
    call = call_for_talks_get(group=proposal.group)
    if not call.is_open(now):
        raise CfpError("The call for talks is closed, so proposals can no longer change.")
    if proposal.status not in Proposal.EDITABLE_STATUSES:
        raise CfpError(f"A proposal that is {proposal.get_status_display().lower()} is final.")
    return call


def proposal_update(
    *, user: AbstractBaseUser, proposal: Proposal, now: datetime | None = None, **fields
) -> Proposal:
    """Edits the submitter's own proposal while the call is open and nothing is decided."""
    _own_proposal(user, proposal)
    call = _check_editable(proposal, now)
    events = fields.pop("preferred_events", None)
    allowed = {
        "title", "abstract", "length_minutes", "audience_level", "idea",
        "notes_for_organisers", "preferred_dates",
    }  # fmt: skip
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Cannot update {', '.join(sorted(unknown))}.")
    _check_fields(
        call=call,
        group=proposal.group,
        length_minutes=fields.get("length_minutes", proposal.length_minutes),
        idea=fields.get("idea", proposal.idea),
        events=events or (),
    )
    for name, value in fields.items():
        setattr(proposal, name, value.strip() if isinstance(value, str) else value)
    with transaction.atomic():
        proposal.save()
        if events is not None:
            proposal.preferred_events.set(events)
    return proposal


def proposal_withdraw(
    *, user: AbstractBaseUser, proposal: Proposal, now: datetime | None = None
) -> Proposal:
    """Withdraws the submitter's own proposal while the call is open and nothing is decided.

    It leaves the voting page and the idea's list; organisers still see it, marked withdrawn.
    """
    _own_proposal(user, proposal)
    _check_editable(proposal, now)
    proposal.status = Status.WITHDRAWN
    proposal.save(update_fields=["status", "updated_at"])
    return proposal


# --- Co-speakers --------------------------------------------------------------------------------


def co_speaker_invite(*, user: AbstractBaseUser, proposal: Proposal, email: str) -> ProposalSpeaker:
    """Invites a co-speaker by email; queues an email with an unguessable accept link."""
    _own_proposal(user, proposal)
    if proposal.status in (Status.DECLINED, Status.WITHDRAWN):
        raise CfpError("This proposal is closed.")
    email = email.strip().lower()
    if email == (user.email or "").lower():
        raise CfpError("You are already the speaker.")
    if proposal.co_speakers.count() >= MAX_CO_SPEAKERS:
        raise CfpError(f"A talk can have at most {MAX_CO_SPEAKERS} co-speakers.")
    if proposal.co_speakers.filter(email=email).exists():
        raise CfpError("That person has already been invited.")
    invitation = ProposalSpeaker.objects.create(
        proposal=proposal, email=email, token=secrets.token_urlsafe(32)
    )
    transaction.on_commit(lambda: tasks.send_co_speaker_invitation.enqueue(invitation.pk))
    return invitation


def co_speaker_accept(*, user: AbstractBaseUser, token: str) -> ProposalSpeaker:
    """Joins the signed-in user to the proposal the invitation is for (single use).

    The user gets a speaker profile if they had none.
    """
    if not user.is_authenticated:
        raise CfpError("Log in to accept the invitation.")
    with transaction.atomic():
        invitation = (
            ProposalSpeaker.objects.select_for_update()
            .select_related("proposal")
            .filter(token=token, status=ProposalSpeaker.Status.INVITED)
            .first()
        )
        if invitation is None:
            raise Http404("No invitation found.")
        if invitation.proposal.submitter_id == user.pk:
            raise CfpError("You cannot be your own co-speaker.")
        if invitation.proposal.co_speakers.filter(user=user).exists():
            raise CfpError("You are already a co-speaker on this proposal.")
        invitation.user = user
        invitation.status = ProposalSpeaker.Status.ACCEPTED
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["user", "status", "accepted_at"])
        _speaker_for(user)
    return invitation


def co_speaker_remove(*, user: AbstractBaseUser, invitation: ProposalSpeaker) -> None:
    """The submitter takes back an invitation or removes a co-speaker."""
    _own_proposal(user, invitation.proposal)
    invitation.delete()


# --- Audience voting ----------------------------------------------------------------------------


def _check_can_vote(user: AbstractBaseUser, proposal: Proposal, now: datetime | None) -> None:
    if not user.is_authenticated:
        raise CfpError("Log in to vote.")
    if proposal.status != Status.IN_VOTING:
        raise Http404("No proposal in voting.")
    call = call_for_talks_get(group=proposal.group)
    if not call.voting_is_open(now):
        raise CfpError("Voting is closed.")
    if call.voting_requires_rsvp and not voter_is_eligible(user=user, group=proposal.group):
        raise CfpError("Only members who have RSVP'd to one of our events can vote.")


def proposal_vote_add(
    *, user: AbstractBaseUser, proposal: Proposal, now: datetime | None = None
) -> bool:
    """Casts the user's vote; returns False if they had already voted (nothing changes)."""
    _check_can_vote(user, proposal, now)
    try:
        with transaction.atomic():
            ProposalVote.objects.create(proposal=proposal, user=user)
    except IntegrityError:
        return False
    return True


def proposal_vote_remove(
    *, user: AbstractBaseUser, proposal: Proposal, now: datetime | None = None
) -> bool:
    """Takes back the user's vote; returns False if there was none."""
    _check_can_vote(user, proposal, now)
    deleted, _ = ProposalVote.objects.filter(proposal=proposal, user=user).delete()
    return deleted > 0


def proposal_vote_toggle(
    *, user: AbstractBaseUser, proposal: Proposal, now: datetime | None = None
) -> bool:
    """Votes, or takes the vote back; returns whether the user's vote is now on."""
    if proposal_vote_remove(user=user, proposal=proposal, now=now):
        return False
    proposal_vote_add(user=user, proposal=proposal, now=now)
    return True


# --- Organiser review and decisions ---------------------------------------------------------------


def _organiser_only(user: AbstractBaseUser, proposal: Proposal) -> None:
    if not is_group_organiser(user, proposal.group):
        raise Http404("No proposal found.")


def review_save(
    *, user: AbstractBaseUser, proposal: Proposal, score: int | None, note: str
) -> Review:
    """Saves the organiser's own score (1 to 5, or none) and private note."""
    _organiser_only(user, proposal)
    if score is not None and not 1 <= score <= 5:
        raise CfpError("A score is from 1 to 5.")
    review, _ = Review.objects.update_or_create(
        proposal=proposal, reviewer=user, defaults={"score": score, "note": note.strip()}
    )
    return review


TRANSITIONS = {
    Status.SUBMITTED: {Status.IN_VOTING, Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN},
    Status.IN_VOTING: {Status.SUBMITTED, Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN},
    Status.ACCEPTED: {Status.SCHEDULED, Status.DECLINED},
    Status.DECLINED: {Status.SUBMITTED},
    Status.SCHEDULED: {Status.SCHEDULED, Status.ACCEPTED},
    Status.WITHDRAWN: set(),
}


def _move(proposal: Proposal, to: str) -> None:
    if to not in TRANSITIONS[proposal.status]:
        raise CfpError(
            f"A proposal that is {proposal.get_status_display().lower()} "
            f"cannot become {Status(to).label.lower()}."
        )
    proposal.status = to


def proposal_open_voting(*, user: AbstractBaseUser, proposal: Proposal) -> Proposal:
    """Puts a submitted proposal on the voting page."""
    _organiser_only(user, proposal)
    _move(proposal, Status.IN_VOTING)
    proposal.save(update_fields=["status", "updated_at"])
    return proposal


def proposal_reopen(*, user: AbstractBaseUser, proposal: Proposal) -> Proposal:
    """Takes a proposal out of voting, or back from declined, to plain submitted."""
    _organiser_only(user, proposal)
    _move(proposal, Status.SUBMITTED)
    proposal.decision_message = ""
    proposal.save(update_fields=["status", "decision_message", "updated_at"])
    return proposal


def _decide(user: AbstractBaseUser, proposal: Proposal, status: str, message: str) -> Proposal:
    """Moves a proposal to a decision and, after commit, emails its speakers that decision."""
    _organiser_only(user, proposal)
    _move(proposal, status)
    proposal.decision_message = message.strip()
    proposal.save(update_fields=["status", "decision_message", "updated_at"])
    decision = str(status)  # the task takes plain JSON values
    transaction.on_commit(lambda: tasks.send_proposal_decision.enqueue(proposal.pk, decision))
    return proposal


def proposal_accept(*, user: AbstractBaseUser, proposal: Proposal, message: str = "") -> Proposal:
    """Accepts a proposal; queues an email to its speakers."""
    return _decide(user, proposal, Status.ACCEPTED, message)


def proposal_decline(*, user: AbstractBaseUser, proposal: Proposal, message: str = "") -> Proposal:
    """Declines a proposal, with an optional message; queues an email to its speakers."""
    return _decide(user, proposal, Status.DECLINED, message)


def proposal_schedule(*, user: AbstractBaseUser, proposal: Proposal, event: Event) -> Talk:
    """Puts an accepted proposal on an event's agenda, at the end.

    Creates (or moves) the event's Talk with the proposal's title, abstract, length and
    speakers: the submitter and every co-speaker who accepted, each with a speaker profile.
    Queues an email to the speakers with the event and its date.
    """
    _organiser_only(user, proposal)
    if event.group_id != proposal.group_id:
        raise Http404("No event found.")
    if event.is_past:
        raise CfpError("That event is over.")
    caller_copy = proposal
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        _move(proposal, Status.SCHEDULED)
        talk = proposal.talk
        if talk is None or talk.event_id != event.pk:
            next_order = (event.talks.aggregate(m=Max("order"))["m"] or 0) + 1
        if talk is None:
            talk = Talk.objects.create(
                event=event,
                title=proposal.title,
                slug=unique_slug(Talk, proposal.title),
                abstract=proposal.abstract,
                duration_minutes=proposal.length_minutes,
                order=next_order,
            )
        elif talk.event_id != event.pk:
            talk.event = event
            talk.order = next_order
            talk.save(update_fields=["event", "order"])
        speakers = [_speaker_for(proposal.submitter)]
        for co in proposal.co_speakers.filter(status=ProposalSpeaker.Status.ACCEPTED):
            speakers.append(_speaker_for(co.user))
        talk.speakers.set(speakers)
        proposal.event = event
        proposal.talk = talk
        proposal.save(update_fields=["status", "event", "talk", "updated_at"])
        transaction.on_commit(
            lambda: tasks.send_proposal_decision.enqueue(proposal.pk, "scheduled")
        )
    caller_copy.refresh_from_db()
    return talk


def proposal_unschedule(*, user: AbstractBaseUser, proposal: Proposal) -> Proposal:
    """Takes a scheduled proposal off the agenda (deleting its talk); it stays accepted."""
    _organiser_only(user, proposal)
    with transaction.atomic():
        proposal.refresh_from_db()
        _move(proposal, Status.ACCEPTED)
        if proposal.talk_id:
            Talk.objects.filter(pk=proposal.talk_id).delete()
        proposal.talk = None
        proposal.event = None
        proposal.save(update_fields=["status", "talk", "event", "updated_at"])
    return proposal


def agenda_move(*, user: AbstractBaseUser, talk: Talk, direction: str) -> list[Talk]:
    """Moves a talk one place up or down in its event's agenda; returns the new order.

    Renumbers the agenda 1..n, so gaps and ties left by earlier edits disappear.
    """
    if not is_group_organiser(user, talk.event.group):
        raise Http404("No talk found.")
    if direction not in ("up", "down"):
        raise CfpError("Move a talk up or down.")
    with transaction.atomic():
        talks = list(
            Talk.objects.select_for_update().filter(event_id=talk.event_id).order_by("order", "pk")
        )
        index = next(i for i, t in enumerate(talks) if t.pk == talk.pk)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(talks):
            talks[index], talks[other] = talks[other], talks[index]
        for position, item in enumerate(talks, start=1):
            item.order = position
        Talk.objects.bulk_update(talks, ["order"])
    return talks
