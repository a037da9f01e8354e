"""Your data, the call for talks' part (portal.personal_data): one function per kind of record.

Erasing withdraws every undecided proposal (through `proposal_withdraw` while the call is open;
after it has closed the status is set directly, as an erased account's proposal cannot stay in
the running), clears the private notes and dates of all of them, and drops co-speaker places
and invitations to the account's email. Accepted and scheduled proposals stay: their talks are
public record, credited to the erased speaker profile (meetups.personal_data). Ideas, idea
and proposal votes and reviews stay with the anonymised account, so tallies and review scores
do not change under the organisers.
"""

from django.dispatch import receiver

from portal.errors import ServiceError
from portal.personal_data import account_erasing, iso, personal_data_requested

from .models import IdeaVote, Proposal, ProposalSpeaker, ProposalVote, Review, TalkIdea
from .services import proposal_withdraw


@receiver(personal_data_requested, dispatch_uid="cfp.personal_data.ideas")
def export_ideas(sender, user, **kwargs):
    ideas = TalkIdea.objects.filter(author=user).select_related("group").order_by("created_at")
    return "talk_ideas", [
        {
            "group": i.group.name,
            "title": i.title,
            "description": i.description,
            "created_at": iso(i.created_at),
        }
        for i in ideas
    ]


@receiver(personal_data_requested, dispatch_uid="cfp.personal_data.idea_votes")
def export_idea_votes(sender, user, **kwargs):
    votes = IdeaVote.objects.filter(user=user).select_related("idea").order_by("created_at", "pk")
    return "idea_votes", [{"idea": v.idea.title, "created_at": iso(v.created_at)} for v in votes]


@receiver(personal_data_requested, dispatch_uid="cfp.personal_data.proposals")
def export_proposals(sender, user, **kwargs):
    proposals = (
        Proposal.objects.filter(submitter=user)
        .select_related("group", "event")
        .order_by("created_at", "pk")
    )
    return "proposals", [
        {
            "group": p.group.name,
            "title": p.title,
            "abstract": p.abstract,
            "length_minutes": p.length_minutes,
            "audience_level": p.audience_level,
            "notes_for_organisers": p.notes_for_organisers,
            "preferred_dates": p.preferred_dates,
            "status": p.status,
            "decision_message": p.decision_message,
            "event": p.event.title if p.event_id else None,
            "created_at": iso(p.created_at),
            "updated_at": iso(p.updated_at),
        }
        for p in proposals
    ]


@receiver(personal_data_requested, dispatch_uid="cfp.personal_data.co_speaking")
def export_co_speaking(sender, user, **kwargs):
    places = ProposalSpeaker.objects.filter(user=user).select_related("proposal")
    return "co_speaking", [
        {
            "proposal": p.proposal.title,
            "status": p.status,
            "invited_at": iso(p.invited_at),
            "accepted_at": iso(p.accepted_at),
        }
        for p in places.order_by("invited_at", "pk")
    ]


@receiver(personal_data_requested, dispatch_uid="cfp.personal_data.proposal_votes")
def export_proposal_votes(sender, user, **kwargs):
    votes = ProposalVote.objects.filter(user=user).select_related("proposal")
    return "proposal_votes", [
        {"proposal": v.proposal.title, "created_at": iso(v.created_at)}
        for v in votes.order_by("created_at", "pk")
    ]


@receiver(personal_data_requested, dispatch_uid="cfp.personal_data.reviews")
def export_reviews(sender, user, **kwargs):
    reviews = Review.objects.filter(reviewer=user).select_related("proposal")
    return "reviews", [
        {
            "proposal": r.proposal.title,
            "score": r.score,
            "note": r.note,
            "updated_at": iso(r.updated_at),
        }
        for r in reviews.order_by("updated_at", "pk")
    ]


@receiver(account_erasing, dispatch_uid="cfp.personal_data.withdraw")
def withdraw_proposals(sender, user, **kwargs) -> None:
    undecided = Proposal.objects.filter(submitter=user, status__in=Proposal.EDITABLE_STATUSES)
    for proposal in undecided.order_by("pk"):
        try:
            proposal_withdraw(user=user, proposal=proposal)
        except ServiceError:
            Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.WITHDRAWN)
    Proposal.objects.filter(submitter=user).update(notes_for_organisers="", preferred_dates="")


@receiver(account_erasing, dispatch_uid="cfp.personal_data.co_speakers")
def drop_co_speaking(sender, user, **kwargs) -> None:
    ProposalSpeaker.objects.filter(user=user).delete()
    if user.email:
        ProposalSpeaker.objects.filter(email__iexact=user.email).delete()
