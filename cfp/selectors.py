"""Reads for the call for talks: ideas, proposals, votes, reviews and the line-up."""

from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.http import Http404
from django.shortcuts import get_object_or_404

from meetups.models import Event, Group, Talk
from meetups.rules import is_group_organiser
from rsvp.models import Rsvp

from .models import (
    CallForTalks,
    IdeaVote,
    Proposal,
    ProposalSpeaker,
    ProposalVote,
    Review,
    TalkIdea,
)

IDEA_SORTS = {"votes": ("-vote_count", "-created_at", "-pk"), "newest": ("-created_at", "-pk")}


def call_for_talks_get(*, group: Group) -> CallForTalks:
    """The group's call; a group that never configured one has the default (open all year,
    members may post ideas, no voting window) without a row being written."""
    call = CallForTalks.objects.filter(group=group).first()
    return call or CallForTalks(group=group)


def voter_is_eligible(*, user, group: Group) -> bool:
    """Whether the user RSVP'd (going, now or in the past) to, or checked in at, one of the
    group's events: the rule for calls that restrict voting to attendees."""
    if not user.is_authenticated:
        return False
    return Rsvp.objects.filter(
        Q(status=Rsvp.Status.GOING) | Q(checked_in_at__isnull=False),
        user=user,
        event__group=group,
    ).exists()


def _voted_by(model, field: str, user):
    if not user.is_authenticated:
        return Value(False)
    return Exists(model.objects.filter(**{field: OuterRef("pk")}, user=user))


def _visible_proposals(user, group: Group) -> QuerySet[Proposal]:
    """Proposals a viewer may see listed under an idea: the public ones, their own, and all
    but withdrawn ones for the group's organisers."""
    if is_group_organiser(user, group):
        return Proposal.objects.exclude(status=Proposal.Status.WITHDRAWN)
    visible = Q(status__in=Proposal.PUBLIC_STATUSES)
    if user.is_authenticated:
        visible |= Q(submitter=user) & ~Q(status=Proposal.Status.WITHDRAWN)
    return Proposal.objects.filter(visible)


def idea_list(*, group: Group, user, sort: str = "votes") -> QuerySet[TalkIdea]:
    """The ideas board: vote counts, the viewer's own vote, and the proposals they may see."""
    proposals = _visible_proposals(user, group).select_related("talk").order_by("title")
    return (
        TalkIdea.objects.filter(group=group)
        .select_related("group")
        .annotate(
            vote_count=Count("votes", distinct=True),
            voted=_voted_by(IdeaVote, "idea", user),
        )
        .prefetch_related(Prefetch("proposals", queryset=proposals, to_attr="visible_proposals"))
        .order_by(*IDEA_SORTS.get(sort, IDEA_SORTS["votes"]))
    )


def idea_get(*, group: Group, pk: int, user) -> TalkIdea:
    return get_object_or_404(idea_list(group=group, user=user), pk=pk)


def _with_speakers(proposals: QuerySet[Proposal]) -> QuerySet[Proposal]:
    co_speakers = ProposalSpeaker.objects.select_related("user__speaker_profile")
    return proposals.select_related("submitter__speaker_profile").prefetch_related(
        Prefetch("co_speakers", queryset=co_speakers)
    )


def proposal_list_voting(*, group: Group, user) -> QuerySet[Proposal]:
    """Proposals on the voting page, each with its vote count and whether the viewer voted."""
    return _with_speakers(
        Proposal.objects.filter(group=group, status=Proposal.Status.IN_VOTING)
        .select_related("idea__group")
        .annotate(
            vote_count=Count("votes", distinct=True),
            voted=_voted_by(ProposalVote, "proposal", user),
        )
        .order_by("created_at", "pk")
    )


def proposal_get_voting(*, pk: int, user) -> Proposal:
    return get_object_or_404(
        Proposal.objects.filter(status=Proposal.Status.IN_VOTING)
        .select_related("group")
        .annotate(
            vote_count=Count("votes", distinct=True),
            voted=_voted_by(ProposalVote, "proposal", user),
        ),
        pk=pk,
    )


def proposal_tallies(*, group: Group) -> dict[int, int]:
    """Vote counts of the proposals in voting, by proposal id (for the live tally refresh)."""
    rows = (
        Proposal.objects.filter(group=group, status=Proposal.Status.IN_VOTING)
        .annotate(vote_count=Count("votes"))
        .values_list("pk", "vote_count")
    )
    return dict(rows)


def proposal_list_mine(*, user) -> QuerySet[Proposal]:
    """The user's proposals, as submitter or accepted co-speaker, across groups."""
    mine = Q(submitter=user) | Q(
        co_speakers__user=user, co_speakers__status=ProposalSpeaker.Status.ACCEPTED
    )
    ids = Proposal.objects.filter(mine).values("pk")
    return Proposal.objects.filter(pk__in=ids).select_related(
        "group", "idea__group", "event", "talk"
    )


def proposal_get_for_speaker(*, pk: int, user) -> Proposal:
    """A proposal page for its submitter or an accepted co-speaker; 404 for anyone else."""
    if not user.is_authenticated:
        raise Http404("No proposal found.")
    return get_object_or_404(
        _with_speakers(proposal_list_mine(user=user)).prefetch_related("preferred_events"),
        pk=pk,
    )


def proposal_get_own(*, pk: int, user) -> Proposal:
    """A proposal its submitter may edit or withdraw; 404 for anyone else."""
    if not user.is_authenticated:
        raise Http404("No proposal found.")
    return get_object_or_404(
        Proposal.objects.select_related("group", "idea").prefetch_related("preferred_events"),
        pk=pk,
        submitter=user,
    )


def proposal_list_review(
    *,
    group: Group,
    user,
    status: str = "",
    length: int | None = None,
    idea: int | None = None,
) -> QuerySet[Proposal]:
    """Every proposal of the group for its organisers: votes, average score, the organiser's
    own review, speakers. Non-organisers get 404."""
    if not is_group_organiser(user, group):
        raise Http404("No group found.")
    proposals = Proposal.objects.filter(group=group)
    if status:
        proposals = proposals.filter(status=status)
    if length:
        proposals = proposals.filter(length_minutes=length)
    if idea:
        proposals = proposals.filter(idea_id=idea)
    my_review = Review.objects.filter(reviewer=user)
    return _with_speakers(
        proposals.select_related("idea__group", "event")
        .annotate(
            vote_count=Count("votes", distinct=True),
            average_score=Avg("reviews__score"),
        )
        .prefetch_related(Prefetch("reviews", queryset=my_review, to_attr="my_reviews"))
        .order_by("-vote_count", "created_at", "pk")
    )


def proposal_get_for_review(*, group: Group, pk: int, user) -> Proposal:
    return get_object_or_404(
        proposal_list_review(group=group, user=user).prefetch_related("preferred_events"), pk=pk
    )


def review_get_mine(*, proposal: Proposal, user) -> Review | None:
    return Review.objects.filter(proposal=proposal, reviewer=user).first()


def event_list_for_scheduling(*, group: Group) -> QuerySet[Event]:
    """Events an accepted talk can go on: the group's upcoming ones, drafts included."""
    return Event.objects.filter(group=group).exclude(status=Event.Status.CANCELLED).upcoming()


def agenda_list(*, event: Event) -> list[Talk]:
    return list(
        Talk.objects.filter(event=event)
        .select_related("proposal")
        .prefetch_related("speakers")
        .order_by("order", "pk")
    )


def event_get_for_organiser(*, group: Group, slug: str, user) -> Event:
    if not is_group_organiser(user, group):
        raise Http404("No event found.")
    return get_object_or_404(Event.objects.select_related("group"), group=group, slug=slug)


def proposal_list_unscheduled(*, group: Group) -> list[Proposal]:
    """Accepted proposals waiting for a place on an agenda (for the line-up page)."""
    return list(
        _with_speakers(
            Proposal.objects.filter(group=group, status=Proposal.Status.ACCEPTED).order_by(
                "created_at", "pk"
            )
        )
    )
