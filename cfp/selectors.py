"""Reads for the call for talks: ideas, proposals, votes, reviews, speakers and the line-up.

A thing the reader may not see answers as if it did not exist (`portal.errors.not_found`).
The group's call itself is `CallForTalks.objects.for_group(group)`.
"""

from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value

from meetups.models import Event, Group, Speaker, Talk
from portal.errors import invalid, not_found
from portal.invitations import invitation_get
from portal.numbers import parse_id

from . import rules
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


def _get(queryset: QuerySet, message: str, **lookup):
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise not_found(message) from None


def _voted_by(model, field: str, user):
    if not user.is_authenticated:
        return Value(False)
    return Exists(model.objects.filter(**{field: OuterRef("pk")}, user=user))


# --- talk ideas ---------------------------------------------------------------------------------


def _visible_proposals(user, group: Group) -> QuerySet[Proposal]:
    """Proposals a viewer may see listed under an idea: the public ones, their own, and all
    but withdrawn ones for the group's organisers."""
    if rules.is_cfp_organiser(user, group):
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


def idea_get_for_board(*, group: Group, pk: int, user) -> TalkIdea:
    """One idea as the board shows it (votes, the viewer's vote, the proposals they may see)."""
    return _get(idea_list(group=group, user=user), "No idea found.", pk=pk)


def idea_get(*, group: Group, pk: int) -> TalkIdea:
    return _get(TalkIdea.objects.select_related("group"), "No idea found.", group=group, pk=pk)


def idea_find(*, group: Group, pk: int | str | None) -> TalkIdea | None:
    """The group's idea with this id, or None (a form's optional choice, a link's `?idea=`)."""
    pk = parse_id(pk)
    if pk is None:
        return None
    return TalkIdea.objects.filter(group=group, pk=pk).first()


# --- speakers -----------------------------------------------------------------------------------


def speaker_get_mine(*, user) -> Speaker | None:
    return Speaker.objects.filter(user=user).prefetch_related("links").first()


def speaker_exists(*, user) -> bool:
    return Speaker.objects.filter(user=user).exists()


def speaker_get(*, slug: str) -> Speaker:
    return _get(Speaker.objects.all(), "No speaker found.", slug=slug)


# --- proposals ----------------------------------------------------------------------------------


def _with_speakers(proposals: QuerySet[Proposal]) -> QuerySet[Proposal]:
    co_speakers = ProposalSpeaker.objects.select_related("user__speaker_profile")
    return proposals.select_related("submitter__speaker_profile").prefetch_related(
        Prefetch("co_speakers", queryset=co_speakers)
    )


def proposal_list_mine(*, user) -> QuerySet[Proposal]:
    """The user's proposals, as submitter or accepted co-speaker, across groups."""
    mine = Q(submitter=user) | Q(
        co_speakers__user=user, co_speakers__status=ProposalSpeaker.Status.ACCEPTED
    )
    ids = Proposal.objects.filter(mine).values("pk")
    return Proposal.objects.filter(pk__in=ids).select_related(
        "group__call_for_talks", "idea__group", "event", "talk"
    )


def proposal_get_for_speaker(*, pk: int, user) -> Proposal:
    """A proposal page for its submitter or an accepted co-speaker; 404 for anyone else."""
    if not user.is_authenticated:
        raise not_found("No proposal found.")
    return _get(
        _with_speakers(proposal_list_mine(user=user)).prefetch_related("preferred_events"),
        "No proposal found.",
        pk=pk,
    )


def proposal_get_own(*, pk: int, user) -> Proposal:
    """A proposal its submitter may edit or withdraw; 404 for anyone else."""
    if not user.is_authenticated:
        raise not_found("No proposal found.")
    return _get(
        Proposal.objects.select_related("group", "idea").prefetch_related("preferred_events"),
        "No proposal found.",
        pk=pk,
        submitter=user,
    )


def co_speaker_get(*, proposal: Proposal, pk: int) -> ProposalSpeaker:
    return _get(proposal.co_speakers.all(), "No co-speaker found.", pk=pk)


def co_speaker_invitation_get(*, token: str) -> ProposalSpeaker:
    """An invitation still waiting for its co-speaker; a used or unknown token is not found."""
    return invitation_get(
        ProposalSpeaker.objects.select_related("proposal__group", "proposal__submitter").filter(
            status=ProposalSpeaker.Status.INVITED
        ),
        token=token,
    )


# --- audience voting ----------------------------------------------------------------------------


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
    return _get(
        Proposal.objects.filter(status=Proposal.Status.IN_VOTING)
        .select_related("group")
        .annotate(
            vote_count=Count("votes", distinct=True),
            voted=_voted_by(ProposalVote, "proposal", user),
        ),
        "No proposal in voting.",
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


# --- organisers' review and line-up -------------------------------------------------------------


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
    if not rules.can_review(user, group):
        raise not_found("No group found.")
    proposals = Proposal.objects.filter(group=group)
    if status:
        proposals = proposals.filter(status=status)
    if length:
        proposals = proposals.filter(length_minutes=length)
    if idea:
        proposals = proposals.filter(idea_id=idea)
    my_review = Review.objects.filter(reviewer=user)
    return _with_speakers(
        proposals.select_related("group", "idea__group", "event")
        .annotate(
            vote_count=Count("votes", distinct=True),
            average_score=Avg("reviews__score"),
        )
        .prefetch_related(Prefetch("reviews", queryset=my_review, to_attr="my_reviews"))
        .order_by("-vote_count", "created_at", "pk")
    )


def proposal_get_for_review(*, pk: int, user, group: Group | None = None) -> Proposal:
    """One proposal of `group` (default: whichever group it is in) for its organisers."""
    if group is None:
        group = _get(Group.objects.all(), "No proposal found.", proposals__pk=pk)
    return _get(
        proposal_list_review(group=group, user=user).prefetch_related("preferred_events"),
        "No proposal found.",
        pk=pk,
    )


def event_list_for_scheduling(*, group: Group) -> QuerySet[Event]:
    """Events an accepted talk can go on: the group's upcoming ones, drafts included."""
    return Event.objects.filter(group=group).exclude(status=Event.Status.CANCELLED).upcoming()


def event_get_for_lineup(*, group: Group, slug: str, user) -> Event:
    """One of the group's events (drafts and past ones included) for its organisers to put
    talks on; 404 for anyone else."""
    if not rules.can_review(user, group):
        raise not_found("No event found.")
    return _get(Event.objects.select_related("group"), "No event found.", group=group, slug=slug)


def agenda_list(*, event: Event) -> list[Talk]:
    return list(
        Talk.objects.filter(event=event)
        .select_related("proposal")
        .prefetch_related("speakers")
        .order_by("order", "pk")
    )


def agenda_talk_get(*, event: Event, talk_id: str) -> Talk:
    """A talk on this event's agenda, by the id a form sent (none sent: INVALID)."""
    if not talk_id:
        raise invalid("Choose a talk to move.", field="talk")
    pk = parse_id(talk_id)
    if pk is None:
        raise not_found("No talk found.")
    return _get(Talk.objects.select_related("event__group"), "No talk found.", event=event, pk=pk)


def proposal_list_unscheduled(*, group: Group) -> list[Proposal]:
    """Accepted proposals waiting for a place on an agenda (for the line-up page)."""
    return list(
        _with_speakers(
            Proposal.objects.filter(group=group, status=Proposal.Status.ACCEPTED).order_by(
                "created_at", "pk"
            )
        )
    )


def event_list_by_slugs(*, group: Group, slugs: list[str]) -> list[Event]:
    """The group's events with these slugs (fewer if some are not the group's)."""
    return list(Event.objects.filter(group=group, slug__in=slugs))


# A talk, not a lightning talk, when the group has no proposals to go by yet.
TALK_MINUTES_FALLBACK = 20


def proposal_length_usual(*, group: Group, call: CallForTalks) -> int:
    """The length the proposal form starts at: the most common among the group's proposals
    (withdrawn ones aside) that the call still allows; with none, or on a tie, the allowed
    length nearest to TALK_MINUTES_FALLBACK."""
    allowed = call.length_choices
    counts = dict(
        Proposal.objects.filter(group=group, length_minutes__in=allowed)
        .exclude(status=Proposal.Status.WITHDRAWN)
        .values_list("length_minutes")
        .annotate(n=Count("pk"))
        .values_list("length_minutes", "n")
    )
    return min(allowed, key=lambda n: (-counts.get(n, 0), abs(n - TALK_MINUTES_FALLBACK), -n))


def call_get_loaded(*, group: Group) -> CallForTalks:
    """The group's call, from `select_related("group__call_for_talks")` when the list loaded
    it (else one query); a group without a row has the default call."""
    try:
        call = group.call_for_talks
    except CallForTalks.DoesNotExist:
        call = CallForTalks()
    call.group = group
    return call
