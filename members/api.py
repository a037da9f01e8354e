"""Membership endpoints: the same services, rules and rate budgets as the pages.

Writes take `write_auth` (a session with its CSRF token, or a personal API token); refusals
are the services' `ServiceError`, answered by `portal.api` with the one error body. A group's
member management and its policies answer 404 to anyone but its organisers.
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from portal.api_auth import member_auth, write_auth
from portal.api_errors import error_responses
from portal.errors import not_found
from portal.pagination import PagePagination
from portal.people import display_name
from portal.ratelimit import check_rate

from . import policies, rules, selectors, services
from .models import BAN_REASON_MAX_LENGTH, Membership

router = Router(tags=["members"])


class MembershipOut(Schema):
    group: str = Field(..., alias="group.slug")
    state: str = Field(..., description='"active" (a member) or "banned".')
    listed: bool = Field(..., description="Shown by name on the group's members page.")
    joined_at: datetime
    banned_reason: str | None = Field(None, description="Why, when banned.")

    @staticmethod
    def resolve_banned_reason(obj: Membership) -> str | None:
        return obj.banned_reason if obj.is_banned else None


class ListedIn(Schema):
    listed: bool


class MemberOut(Schema):
    id: int
    name: str
    joined_at: datetime

    @staticmethod
    def resolve_name(obj: Membership) -> str:
        return display_name(obj.user)


class ManagedMemberOut(MemberOut):
    username: str = Field(..., alias="user.username")
    listed: bool
    state: str
    banned_reason: str
    banned_at: datetime | None


class BanIn(Schema):
    reason: str = Field("", max_length=BAN_REASON_MAX_LENGTH)


class PolicyIn(Schema):
    rsvp_audience: str = Field(
        ..., max_length=12, description='"anyone" or "members" ("" on an event: as the group).'
    )
    qa_audience: str = Field(
        "",
        max_length=12,
        description='"anyone", "members", "rsvpd", "checked_in", or "" (group: as the RSVP '
        "policy; event: as the group).",
    )


class PolicyOut(Schema):
    rsvp_audience: str
    qa_audience: str


class EventPolicyOut(Schema):
    rsvp_audience: str = Field(..., description='The event\'s own choice ("" as the group).')
    qa_audience: str = Field(..., description='The event\'s own choice ("" as the group).')
    effective_rsvp_audience: str
    effective_qa_audience: str


G = "/groups/{slug}"


@router.get(
    G + "/membership", response={200: MembershipOut, **error_responses(404)}, auth=member_auth
)
def membership_get(request: HttpRequest, slug: str):
    """Your membership of the group (404 when you are not in it)."""
    group = selectors.group_get(slug=slug)
    membership = rules.membership_of(request.auth, group)
    if membership is None:
        raise not_found("You are not in this group.")
    return membership


@router.post(
    G + "/membership",
    response={200: MembershipOut, 201: MembershipOut, **error_responses(403, 404, 429)},
    auth=write_auth,
)
def membership_join(request: HttpRequest, slug: str):
    """Join the group (201); joining again changes nothing (200). Banned: 403 with the reason."""
    check_rate(request, "members.join")
    group = selectors.group_get(slug=slug)
    membership, created = services.membership_join(group=group, user=request.auth)
    return Status(201 if created else 200, membership)


@router.delete(
    G + "/membership", response={204: None, **error_responses(403, 404, 429)}, auth=write_auth
)
def membership_leave(request: HttpRequest, slug: str):
    """Leave the group (idempotent). A banned person cannot leave to lift the ban (403)."""
    check_rate(request, "members.join")
    group = selectors.group_get(slug=slug)
    services.membership_leave(group=group, user=request.auth)
    return Status(204, None)


@router.patch(
    G + "/membership",
    response={200: MembershipOut, **error_responses(404, 409, 422, 429)},
    auth=write_auth,
)
def membership_listed(request: HttpRequest, slug: str, payload: ListedIn):
    """Choose whether you are listed on the group's members page."""
    check_rate(request, "members.join")
    group = selectors.group_get(slug=slug)
    return services.membership_listed_set(group=group, user=request.auth, listed=payload.listed)


@router.get(
    G + "/members", response={200: list[MemberOut], **error_responses(404, 422)}, auth=member_auth
)
@paginate(PagePagination, page_size=50)
def member_list(request: HttpRequest, slug: str):
    """Members who chose to be listed: name and joining date (signed-in people)."""
    return selectors.listed_members(group=selectors.group_get(slug=slug))


@router.get(
    G + "/members/all",
    response={200: list[ManagedMemberOut], **error_responses(404, 422)},
    auth=member_auth,
)
@paginate(PagePagination, page_size=50)
def member_list_all(request: HttpRequest, slug: str):
    """Everyone, banned people first, with their state (the group's organisers only)."""
    return selectors.all_members(group=selectors.organised_group_get(slug=slug, user=request.auth))


MODERATE_ERRORS = error_responses(403, 404, 409, 422, 429)


@router.post(
    G + "/members/{membership_id}/ban",
    response={200: ManagedMemberOut, **MODERATE_ERRORS},
    auth=write_auth,
)
def member_ban(request: HttpRequest, slug: str, membership_id: int, payload: BanIn):
    """Ban a member (organisers; not another organiser). The reason is shown to them."""
    group = selectors.organised_group_get(slug=slug, user=request.auth)
    check_rate(request, "members.moderate")
    return services.member_ban(
        group=group, membership_id=membership_id, user=request.auth, reason=payload.reason
    )


@router.delete(
    G + "/members/{membership_id}/ban",
    response={200: ManagedMemberOut, **MODERATE_ERRORS},
    auth=write_auth,
)
def member_unban(request: HttpRequest, slug: str, membership_id: int):
    """Lift a ban (organisers): the person is a member again."""
    group = selectors.organised_group_get(slug=slug, user=request.auth)
    check_rate(request, "members.moderate")
    return services.member_unban(group=group, membership_id=membership_id, user=request.auth)


@router.delete(
    G + "/members/{membership_id}", response={204: None, **MODERATE_ERRORS}, auth=write_auth
)
def member_remove(request: HttpRequest, slug: str, membership_id: int):
    """Remove a member (organisers; the membership is deleted, they may join again)."""
    group = selectors.organised_group_get(slug=slug, user=request.auth)
    check_rate(request, "members.moderate")
    services.member_remove(group=group, membership_id=membership_id, user=request.auth)
    return Status(204, None)


@router.get(G + "/policy", response={200: PolicyOut, **error_responses(404)}, auth=member_auth)
def group_policy_get(request: HttpRequest, slug: str):
    """Who may RSVP and take part in live Q&A at the group's events, by default (organisers)."""
    group = selectors.organised_group_get(slug=slug, user=request.auth)
    return policies.group_policy_get(group=group)


@router.put(
    G + "/policy", response={200: PolicyOut, **error_responses(404, 422, 429)}, auth=write_auth
)
def group_policy_set(request: HttpRequest, slug: str, payload: PolicyIn):
    group = selectors.organised_group_get(slug=slug, user=request.auth)
    check_rate(request, "members.moderate")
    return services.group_policy_set(
        group=group,
        user=request.auth,
        rsvp_audience=payload.rsvp_audience,
        qa_audience=payload.qa_audience,
    )


def _event_policy_out(event) -> EventPolicyOut:
    policies.forget(event)
    effective = policies.effective_for_event(event)
    return EventPolicyOut(
        rsvp_audience=effective.event_rsvp_audience,
        qa_audience=effective.event_qa_audience,
        effective_rsvp_audience=effective.rsvp_audience,
        effective_qa_audience=effective.qa_audience,
    )


@router.get(
    "/events/{slug}/policy",
    response={200: EventPolicyOut, **error_responses(404)},
    auth=member_auth,
)
def event_policy_get(request: HttpRequest, slug: str):
    """The event's own choices and what applies (organisers of its group)."""
    return _event_policy_out(selectors.organised_event_get(slug=slug, user=request.auth))


@router.put(
    "/events/{slug}/policy",
    response={200: EventPolicyOut, **error_responses(404, 422, 429)},
    auth=write_auth,
)
def event_policy_set(request: HttpRequest, slug: str, payload: PolicyIn):
    event = selectors.organised_event_get(slug=slug, user=request.auth)
    check_rate(request, "members.moderate")
    services.event_policy_set(
        event=event,
        user=request.auth,
        rsvp_audience=payload.rsvp_audience,
        qa_audience=payload.qa_audience,
    )
    return _event_policy_out(event)
