"""Proposals: a talk a member offers, edited or withdrawn while the call is open, and the
co-speakers its submitter invites by email."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from meetups.models import Event, Group
from members.rules import ban_refusal
from portal.errors import conflict, forbidden, invalid, not_found
from portal.invitations import invitation_claim, invitation_token_new
from portal.text import require_email_address, require_multi_line, require_single_line

from .. import rules, tasks
from ..models import CallForTalks, Proposal, ProposalSpeaker, TalkIdea
from .speakers import speaker_ensure

MAX_CO_SPEAKERS = 3
EDITABLE_FIELDS = {
    "title", "abstract", "length_minutes", "audience_level", "idea", "notes_for_organisers",
    "preferred_dates",
}  # fmt: skip
SINGLE_LINE_FIELDS = ("title", "preferred_dates")  # an email subject quotes the title
MULTI_LINE_FIELDS = ("abstract", "notes_for_organisers")


def _check_text(fields: dict) -> None:
    for name in SINGLE_LINE_FIELDS:
        if isinstance(fields.get(name), str):
            require_single_line(fields[name], field=name)
    for name in MULTI_LINE_FIELDS:
        if isinstance(fields.get(name), str):
            require_multi_line(fields[name], field=name)


def _check_fields(*, call: CallForTalks, group: Group, length_minutes: int, idea, events) -> None:
    if length_minutes not in call.length_choices:
        allowed = ", ".join(str(n) for n in call.length_choices)
        raise invalid(f"Choose a length of {allowed} minutes.", field="length_minutes")
    if idea is not None and idea.group_id != group.pk:
        raise invalid("That talk idea belongs to another group.", field="idea")
    if any(event.group_id != group.pk for event in events):
        raise invalid("Preferred events must be this group's events.", field="preferred_events")


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
) -> Proposal:
    """Submits a proposal while the group's call is open.

    The submitter gets a speaker profile if they had none (from their account name).
    """
    if not user.is_authenticated:
        raise forbidden("Log in to propose a talk.")
    if not rules.can_propose(user, group):
        raise forbidden(ban_refusal(user, group))
    call = CallForTalks.objects.for_group(group)
    if not call.is_open():
        raise conflict("The call for talks is closed.")
    _check_fields(
        call=call, group=group, length_minutes=length_minutes, idea=idea, events=preferred_events
    )
    _check_text(
        {
            "title": title,
            "preferred_dates": preferred_dates,
            "abstract": abstract,
            "notes_for_organisers": notes_for_organisers,
        }
    )
    with transaction.atomic():
        speaker_ensure(user=user)
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


def _check_submitter(user: AbstractBaseUser, proposal: Proposal) -> None:
    if not rules.is_proposal_submitter(user, proposal):
        raise not_found("No proposal found.")


def _check_editable(proposal: Proposal) -> CallForTalks:
    call = CallForTalks.objects.for_group(proposal.group)
    if refusal := rules.proposal_edit_refusal(proposal, call):
        raise conflict(refusal)
    return call


def proposal_update(*, user: AbstractBaseUser, proposal: Proposal, **fields) -> Proposal:
    """Edits the submitter's own proposal while the call is open and nothing is decided."""
    _check_submitter(user, proposal)
    call = _check_editable(proposal)
    events = fields.pop("preferred_events", None)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Cannot update {', '.join(sorted(unknown))}.")
    _check_text(fields)
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


def proposal_withdraw(*, user: AbstractBaseUser, proposal: Proposal) -> Proposal:
    """Withdraws the submitter's own proposal while the call is open and nothing is decided.

    It leaves the voting page and the idea's list; organisers still see it, marked withdrawn.
    """
    _check_submitter(user, proposal)
    _check_editable(proposal)
    proposal.status = Proposal.Status.WITHDRAWN
    proposal.save(update_fields=["status", "updated_at"])
    return proposal


def proposal_resubmit(*, user: AbstractBaseUser, proposal: Proposal) -> Proposal:
    """Brings the submitter's withdrawn proposal back as submitted while the call is open.

    Organisers see it as new again; it goes back to the vote only if they put it there.
    """
    _check_submitter(user, proposal)
    call = CallForTalks.objects.for_group(proposal.group)
    if refusal := rules.proposal_resubmit_refusal(proposal, call):
        raise conflict(refusal)
    proposal.status = Proposal.Status.SUBMITTED
    proposal.save(update_fields=["status", "updated_at"])
    return proposal


# --- co-speakers --------------------------------------------------------------------------------


def co_speaker_invite(*, user: AbstractBaseUser, proposal: Proposal, email: str) -> ProposalSpeaker:
    """Invites a co-speaker by email; queues an email with an unguessable accept link."""
    _check_submitter(user, proposal)
    if not rules.proposal_takes_co_speakers(user, proposal):
        raise conflict("This proposal is closed.")
    email = require_email_address(email, field="email")
    if email == (user.email or "").lower():
        raise invalid("You are already the speaker.", field="email")
    if proposal.co_speakers.count() >= MAX_CO_SPEAKERS:
        raise conflict(f"A talk can have at most {MAX_CO_SPEAKERS} co-speakers.")
    if proposal.co_speakers.filter(email=email).exists():
        raise invalid("That person has already been invited.", field="email")
    invitation = ProposalSpeaker.objects.create(
        proposal=proposal, email=email, token=invitation_token_new()
    )
    transaction.on_commit(lambda: tasks.send_co_speaker_invitation.enqueue(invitation.pk))
    return invitation


def co_speaker_accept(*, user: AbstractBaseUser, token: str) -> ProposalSpeaker:
    """Joins the signed-in user to the proposal the invitation is for (single use: a used
    token is not found).

    The user gets a speaker profile if they had none.
    """
    with transaction.atomic():
        invitation = invitation_claim(
            ProposalSpeaker.objects.select_related("proposal").filter(
                status=ProposalSpeaker.Status.INVITED
            ),
            token=token,
            user=user,
        )
        if invitation.proposal.submitter_id == user.pk:
            raise conflict("You cannot be your own co-speaker.")
        if invitation.proposal.co_speakers.filter(user=user).exists():
            raise conflict("You are already a co-speaker on this proposal.")
        invitation.user = user
        invitation.status = ProposalSpeaker.Status.ACCEPTED
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["user", "status", "accepted_at"])
        speaker_ensure(user=user)
    return invitation


def co_speaker_remove(*, user: AbstractBaseUser, invitation: ProposalSpeaker) -> None:
    """The submitter takes back an invitation or removes a co-speaker."""
    _check_submitter(user, invitation.proposal)
    invitation.delete()
