"""What the mutation run of members/rules.py and members/services.py found untested
(docs/testing.md, "Mutation testing"): the refusals' kind, message and field, the choices the
policy services store, and what a change does to a membership read before or meanwhile.

Each test names the break it guards; each was checked against the mutant it was written for."""

import pytest
from django.contrib.auth.models import AnonymousUser

from members import rules, services
from members.models import BAN_REASON_MAX_LENGTH, EventPolicy, GroupPolicy, Membership
from members.policies import effective_for_event
from members.selectors import membership_panel
from portal.errors import Kind, ServiceError
from tests import factories
from tests.races import just_before

pytestmark = pytest.mark.django_db


def _refusal(call, **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as refused:
        call(**kwargs)
    return refused.value


def _as_tuple(error: ServiceError) -> tuple:
    return (error.kind, error.message, error.field)


# --- group_policy_set ----------------------------------------------------------------------------


def test_group_policy_by_a_non_organiser_is_not_found_and_stores_nothing(group, member):
    """Breaks: the message of the refusal changed or dropped."""
    error = _refusal(
        services.group_policy_set,
        group=group,
        user=member,
        rsvp_audience="members",
        qa_audience="",
    )

    assert _as_tuple(error) == (Kind.NOT_FOUND, "No group found.", None)
    assert GroupPolicy.objects.count() == 0


def test_group_policy_needs_an_rsvp_choice(group, organiser):
    """Breaks: the group's RSVP audience accepting "" (blank=True / None)."""
    error = _refusal(
        services.group_policy_set, group=group, user=organiser, rsvp_audience="", qa_audience=""
    )

    assert _as_tuple(error) == (Kind.INVALID, "Choose one of the options.", "rsvp_audience")
    assert GroupPolicy.objects.count() == 0


def test_group_policy_unknown_qa_choice_names_its_field(group, organiser):
    """Breaks: the field name of the Q&A choice's refusal changed or dropped."""
    error = _refusal(
        services.group_policy_set,
        group=group,
        user=organiser,
        rsvp_audience="members",
        qa_audience="everyone",
    )

    assert _as_tuple(error) == (Kind.INVALID, "Choose one of the options.", "qa_audience")
    assert GroupPolicy.objects.count() == 0


# --- event_policy_set ----------------------------------------------------------------------------


def test_event_policy_by_a_non_organiser_is_not_found_and_stores_nothing(event, member):
    """Breaks: the message of the refusal changed or dropped."""
    error = _refusal(
        services.event_policy_set,
        event=event,
        user=member,
        rsvp_audience="members",
        qa_audience="",
    )

    assert _as_tuple(error) == (Kind.NOT_FOUND, "No event found.", None)
    assert EventPolicy.objects.count() == 0


def test_event_policy_stores_the_events_own_choices(event, organiser):
    """Breaks: the RSVP choice checked against something other than `RsvpAudience`."""
    policy = services.event_policy_set(
        event=event, user=organiser, rsvp_audience="members", qa_audience="checked_in"
    )

    stored = EventPolicy.objects.get(event=event)
    assert (stored.pk, stored.rsvp_audience, stored.qa_audience) == (
        policy.pk,
        "members",
        "checked_in",
    )


@pytest.mark.parametrize(
    ("rsvp_audience", "qa_audience", "field"),
    [("everyone", "", "rsvp_audience"), ("", "everyone", "qa_audience")],
)
def test_event_policy_unknown_choice_names_its_field(
    event, organiser, rsvp_audience, qa_audience, field
):
    """Breaks: the field name of either choice's refusal changed or dropped."""
    error = _refusal(
        services.event_policy_set,
        event=event,
        user=organiser,
        rsvp_audience=rsvp_audience,
        qa_audience=qa_audience,
    )

    assert _as_tuple(error) == (Kind.INVALID, "Choose one of the options.", field)
    assert EventPolicy.objects.count() == 0


# --- moderation ----------------------------------------------------------------------------------


def test_remove_a_banned_person_says_to_unban_instead(group, organiser, banned):
    """Breaks: the message of the refusal changed or dropped."""
    error = _refusal(services.member_remove, group=group, membership_id=banned.pk, user=organiser)

    assert _as_tuple(error) == (
        Kind.CONFLICT,
        "This person is banned: unban them instead.",
        None,
    )
    assert Membership.objects.get(pk=banned.pk).is_banned is True


def test_unban_someone_not_banned_says_so(group, organiser, joined):
    """Breaks: the message of the refusal changed or dropped."""
    error = _refusal(services.member_unban, group=group, membership_id=joined.pk, user=organiser)

    assert _as_tuple(error) == (Kind.CONFLICT, "This person is not banned.", None)
    assert Membership.objects.get(pk=joined.pk).state == Membership.State.ACTIVE


@pytest.mark.parametrize("action", ["ban", "remove", "unban"])
def test_moderation_by_a_non_organiser_is_no_such_member(group, member, joined, banned, action):
    """Breaks: the message of `_moderated`'s first refusal changed or dropped."""
    target = banned if action == "unban" else joined
    extra = {"reason": "x"} if action == "ban" else {}

    error = _refusal(
        getattr(services, f"member_{action}"),
        group=group,
        membership_id=target.pk,
        user=member,
        **extra,
    )

    assert _as_tuple(error) == (Kind.NOT_FOUND, "No such member.", None)


def test_moderating_a_membership_of_another_group_is_no_such_member(group, organiser, member):
    """Breaks: the message of `_moderated`'s second refusal changed or dropped."""
    elsewhere, _ = services.membership_join(group=factories.make_group(), user=member)

    error = _refusal(
        services.member_ban, group=group, membership_id=elsewhere.pk, user=organiser, reason="x"
    )

    assert _as_tuple(error) == (Kind.NOT_FOUND, "No such member.", None)
    assert Membership.objects.get(pk=elsewhere.pk).is_banned is False


def test_banning_an_organiser_says_why_not(group, organiser):
    """Breaks: the message of the refusal changed or dropped."""
    own, _ = services.membership_join(group=group, user=organiser)

    error = _refusal(
        services.member_ban, group=group, membership_id=own.pk, user=organiser, reason="x"
    )

    assert _as_tuple(error) == (
        Kind.FORBIDDEN,
        "Organisers of the group cannot be removed or banned here.",
        None,
    )


# --- join, leave, listing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (services.membership_join, "Log in to join the group."),
        (services.membership_leave, "Log in first."),
    ],
)
def test_join_or_leave_signed_out_says_to_log_in(group, call, message):
    """Breaks: the message of either refusal changed or dropped."""
    error = _refusal(call, group=group, user=AnonymousUser())

    assert _as_tuple(error) == (Kind.FORBIDDEN, message, None)


def test_leave_after_a_ban_is_refused_even_if_this_user_was_read_as_a_member(
    group, organiser, member, joined
):
    """Breaks: `membership_leave` trusting the membership this user object already read (the
    page's panel reads it first) instead of reading it again: the ban would go unnoticed and
    the leave answer "no membership" instead of the ban's message."""
    assert rules.is_member(member, group) is True  # read and kept on this user object
    services.member_ban(group=group, membership_id=joined.pk, user=organiser, reason="")

    error = _refusal(services.membership_leave, group=group, user=member)

    assert _as_tuple(error) == (
        Kind.FORBIDDEN,
        f"You have been banned from {group.name} by its organisers.",
        None,
    )


def test_listed_set_is_about_this_group_only(group, member):
    """Breaks: the membership looked up without its group (another group's would change)."""
    elsewhere, _ = services.membership_join(group=factories.make_group(), user=member)

    error = _refusal(services.membership_listed_set, group=group, user=member, listed=False)

    assert _as_tuple(error) == (Kind.CONFLICT, "Join the group first.", None)
    assert Membership.objects.get(pk=elsewhere.pk).listed is True


def test_listed_set_is_about_this_person_only(group, member, joined):
    """Breaks: the membership looked up without its person (another member's would change)."""
    stranger = factories.make_user(username="stranger")

    error = _refusal(services.membership_listed_set, group=group, user=stranger, listed=False)

    assert _as_tuple(error) == (Kind.CONFLICT, "Join the group first.", None)
    assert Membership.objects.get(pk=joined.pk).listed is True


def test_listed_set_leaves_a_ban_made_meanwhile_alone(group, organiser, member, joined):
    """Breaks: saving every column instead of `listed` alone: an organiser's ban committed
    between the service's read and its write would be undone (state back to active)."""

    def ban_meanwhile():
        services.member_ban(group=group, membership_id=joined.pk, user=organiser, reason="Spam")

    with just_before("UPDATE", ban_meanwhile) as fired:
        services.membership_listed_set(group=group, user=member, listed=False)

    row = Membership.objects.get(pk=joined.pk)
    assert (fired, row.listed, row.state) == ([True], False, Membership.State.BANNED)


def test_listed_set_shows_in_the_panel_read_with_the_same_user(group, member, joined):
    """Breaks: `membership_listed_set` keeping the membership this user object read before (the
    group page's panel, drawn after the change in the same request, would show the old choice)."""
    assert membership_panel(group=group, user=member).membership.listed is True

    services.membership_listed_set(group=group, user=member, listed=False)

    assert membership_panel(group=group, user=member).membership.listed is False


def test_ban_reason_of_the_longest_length_is_kept(group, organiser, joined):
    """Breaks: the bound on the reason off by one (a reason of exactly the limit refused)."""
    reason = "x" * BAN_REASON_MAX_LENGTH

    services.member_ban(group=group, membership_id=joined.pk, user=organiser, reason=reason)

    assert Membership.objects.get(pk=joined.pk).banned_reason == reason


def test_ban_reason_too_long_says_the_limit(group, organiser, joined):
    """Breaks: the message of the refusal dropped."""
    error = _refusal(
        services.member_ban,
        group=group,
        membership_id=joined.pk,
        user=organiser,
        reason="x" * (BAN_REASON_MAX_LENGTH + 1),
    )

    assert _as_tuple(error) == (
        Kind.INVALID,
        f"Keep the reason to {BAN_REASON_MAX_LENGTH} characters.",
        "reason",
    )
    assert Membership.objects.get(pk=joined.pk).is_banned is False


def test_ban_reads_the_membership_with_its_person_and_group_at_once(
    group, organiser, joined, django_assert_num_queries
):
    """Breaks: the moderated membership read without its person or its group (one more query
    each, per ban, remove or unban)."""
    organiser = type(organiser).objects.get(pk=organiser.pk)

    with django_assert_num_queries(7):
        services.member_ban(group=group, membership_id=joined.pk, user=organiser, reason="")

    assert Membership.objects.get(pk=joined.pk).is_banned is True


# --- rules ---------------------------------------------------------------------------------------


def test_organiser_ids_of_a_group_without_owner_are_its_co_organisers(group, organiser):
    """Breaks: a missing owner added to the ids as None (the organisers' members page asks
    this set per row)."""
    assert group.owner_id is None

    assert rules.organiser_ids(group) == {organiser.pk}


def test_organiser_ids_include_the_owner(group, organiser):
    owner = factories.make_user(username="owner")
    group.owner = owner
    group.save()

    assert rules.organiser_ids(group) == {organiser.pk, owner.pk}


def test_join_racing_a_double_click_answers_not_created(group, member):
    """Breaks: a second join of the same person, committing between this one's read and its
    INSERT, turned into an error instead of the membership the other made."""

    def join_meanwhile():
        Membership.objects.create(group=group, user=member)

    # Before the savepoint get_or_create opens for its INSERT, so the other's row outlives it.
    with just_before("SAVEPOINT", join_meanwhile) as fired:
        membership, created = services.membership_join(group=group, user=member)

    assert (fired, created, membership.pk) == ([True], False, Membership.objects.get().pk)


def test_join_after_an_unban_is_allowed_even_if_this_user_was_read_as_banned(
    group, organiser, banned
):
    """Breaks: `membership_join` trusting the ban this user object already read (the page's
    panel reads it first) instead of reading it again: the person, unbanned meanwhile, would
    be refused with the old ban's message."""
    person = banned.user
    assert rules.is_banned_from(person, group) is True  # read and kept on this user object
    services.member_unban(group=group, membership_id=banned.pk, user=organiser)

    membership, created = services.membership_join(group=group, user=person)

    assert (membership.pk, created, membership.state) == (
        banned.pk,
        False,
        Membership.State.ACTIVE,
    )


def test_join_refuses_a_ban_committed_after_its_first_check(group, organiser, member, joined):
    """Breaks: the check after `get_or_create` (a ban an organiser commits between the join's
    first check and its read of the row) answering without the ban's message, or failing."""

    def ban_meanwhile():
        services.member_ban(group=group, membership_id=joined.pk, user=organiser, reason="")

    # The join reads the membership twice: for the ban check, then in get_or_create.
    with just_before("SELECT", ban_meanwhile, reading="members_membership", nth=2) as fired:
        error = _refusal(services.membership_join, group=group, user=member)

    assert fired == [True]
    assert _as_tuple(error) == (
        Kind.FORBIDDEN,
        f"You have been banned from {group.name} by its organisers.",
        None,
    )


def test_leave_is_about_this_group_and_this_person_only(group, member, joined):
    """Breaks: the delete without its group (the person would leave every group) or without
    its person (every member would leave)."""
    other_group = factories.make_group()
    elsewhere, _ = services.membership_join(group=other_group, user=member)
    neighbour, _ = services.membership_join(
        group=group, user=factories.make_user(username="neighbour")
    )

    assert services.membership_leave(group=group, user=member) is True

    assert set(Membership.objects.values_list("pk", flat=True)) == {elsewhere.pk, neighbour.pk}


def test_event_policy_set_shows_on_the_same_event_object(event, organiser):
    """Breaks: the audiences kept on the event object not forgotten after a change (the page
    drawn after the save in the same request would show the old ones)."""
    assert effective_for_event(event).rsvp_audience == "anyone"  # read and kept on the event

    services.event_policy_set(
        event=event, user=organiser, rsvp_audience="members", qa_audience="rsvpd"
    )

    effective = effective_for_event(event)
    assert (effective.rsvp_audience, effective.qa_audience) == ("members", "rsvpd")


def test_membership_panel_signed_out_costs_one_query(group, django_assert_num_queries):
    """Breaks: a signed-out viewer's membership looked up in the database (`membership_of`
    asking with `and` instead of `or`): the panel's docstring promises one query."""
    with django_assert_num_queries(1):
        panel = membership_panel(group=group, user=AnonymousUser())

    assert (panel.count, panel.membership, panel.can_join, panel.ban_message) == (
        0,
        None,
        False,
        None,
    )
