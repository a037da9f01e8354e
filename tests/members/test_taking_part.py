"""Bans and the who-may policies, as the RSVP, live and call-for-talks services, pages and API
see them: a banned person is refused with the ban's message (FORBIDDEN), everywhere alike."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cfp import services as cfp_services
from cfp.models import CallForTalks, Proposal, TalkIdea
from live import services as live_services
from live.models import Question
from live.rules import can_ask, can_vote, qa_refusal
from meetups.models import Event
from members import services
from members.models import EventPolicy, GroupPolicy
from members.policies import effective_for_event
from portal.errors import Kind, ServiceError
from rsvp import services as rsvp_services
from rsvp.models import Rsvp
from rsvp.rules import can_rsvp, rsvp_refusal
from tests import factories

from .conftest import BAN_MESSAGE, fresh

pytestmark = pytest.mark.django_db

JOIN_TO_RSVP = "This event is for members of the group: join the group to RSVP."


def _refusal(call, **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as refused:
        call(**kwargs)
    return refused.value


# --- bans ----------------------------------------------------------------------------------------


def test_banned_person_cannot_rsvp_and_is_told_why(group, event, banned):
    error = _refusal(rsvp_services.rsvp_create, event=event, user=fresh(banned.user))

    assert (error.kind, error.message) == (Kind.FORBIDDEN, BAN_MESSAGE.format(group=group.name))
    assert Rsvp.objects.count() == 0


def test_ban_applies_to_its_group_only(event, banned):
    elsewhere = factories.make_event(group=factories.make_group())

    result = rsvp_services.rsvp_create(event=elsewhere, user=fresh(banned.user))

    assert result.rsvp.status == Rsvp.Status.GOING


def test_banned_person_cannot_ask_or_vote_in_live_qa(group, event, banned, member):
    question = Question.objects.create(event=event, author=member, text="Why?")
    person = fresh(banned.user)
    message = BAN_MESSAGE.format(group=group.name)

    asked = _refusal(
        live_services.question_create, event=event, talk=None, author=person, text="Hi"
    )
    voted = _refusal(live_services.question_vote, question=question, user=person)

    assert (asked.kind, asked.message) == (Kind.FORBIDDEN, message)
    assert (voted.kind, voted.message) == (Kind.FORBIDDEN, message)
    assert (can_ask(person, event), can_vote(person, question)) == (False, False)
    assert Question.objects.count() == 1


def test_banned_person_cannot_propose_post_or_vote_in_the_call(group, organiser, banned):
    now = timezone.now()
    call = CallForTalks.objects.create(
        group=group,
        voting_opens_at=now - timedelta(days=1),
        voting_closes_at=now + timedelta(days=7),
    )
    idea = TalkIdea.objects.create(group=group, title="Async ORM", author=organiser)
    speaker = factories.make_user(username="speaker")
    proposal = cfp_services.proposal_submit(
        user=speaker, group=group, title="A talk", abstract="About it.", length_minutes=20
    )
    cfp_services.proposal_open_voting(user=organiser, proposal=proposal)
    person = fresh(banned.user)
    message = BAN_MESSAGE.format(group=group.name)
    assert call.members_may_post_ideas is True  # so only the ban refuses the idea below

    refusals = [
        _refusal(
            cfp_services.proposal_submit,
            user=person,
            group=group,
            title="Mine",
            abstract="x",
            length_minutes=20,
        ),
        _refusal(cfp_services.idea_create, user=person, group=group, title="Mine too"),
        _refusal(cfp_services.idea_vote_toggle, user=person, idea=idea),
        _refusal(cfp_services.proposal_vote_add, user=person, proposal=proposal),
    ]

    assert [(e.kind, e.message) for e in refusals] == [(Kind.FORBIDDEN, message)] * 4
    assert Proposal.objects.filter(submitter=person).count() == 0


def test_ban_message_reaches_the_rsvp_panel(client, group, event, banned):
    client.force_login(banned.user)

    page = client.get(event.get_absolute_url()).content.decode()

    assert (
        '<p class="text-sm text-stone-700" id="rsvp-refusal">'
        + (f"You have been banned from {group.name} by its organisers: Spam in the Q&amp;A</p>")
        in page
    )
    assert 'action="/events/' + event.slug + '/rsvp/going/"' not in page


def test_ban_message_reaches_a_plain_rsvp_post(client, group, event, banned):
    client.force_login(banned.user)

    response = client.post(reverse("rsvp:create", kwargs={"slug": event.slug}), {"guests": "0"})

    assert response.status_code == 403
    assert (
        f"You have been banned from {group.name} by its organisers: Spam in the Q&amp;A"
        in response.content.decode()
    )


def test_ban_message_reaches_the_api(client, group, event, banned, member):
    question = Question.objects.create(event=event, author=member, text="Why?")
    client.force_login(banned.user)
    message = BAN_MESSAGE.format(group=group.name)
    expected = {"detail": message, "kind": "forbidden", "field": None}

    answers = [
        client.post(f"/api/events/{event.slug}/rsvp", "{}", content_type="application/json"),
        client.post(
            f"/api/events/{event.slug}/questions",
            json.dumps({"text": "Hi"}),
            content_type="application/json",
        ),
        client.post(f"/api/questions/{question.pk}/vote", content_type="application/json"),
    ]

    assert [(a.status_code, a.json()) for a in answers] == [(403, expected)] * 3


def test_ban_message_reaches_the_live_page(client, group, event, banned):
    client.force_login(banned.user)

    page = client.get(reverse("live:live_page", kwargs={"slug": event.slug})).content.decode()

    assert (
        '<p class="rounded-lg bg-brand-50 p-4" id="qa-refusal">You have been banned from '
        f"{group.name} by its organisers: Spam in the Q&amp;A</p>"
    ) in page


# --- policies ------------------------------------------------------------------------------------


def test_defaults_let_anyone_signed_in_rsvp_and_ask(event, member):
    effective = effective_for_event(event)

    assert (effective.rsvp_audience, effective.qa_audience) == ("anyone", "anyone")
    assert (can_rsvp(member, event), can_ask(member, event)) == (True, True)


def test_members_only_group_refuses_a_non_member_and_qa_follows(group, event, member):
    GroupPolicy.objects.create(group=group, rsvp_audience="members")

    error = _refusal(rsvp_services.rsvp_create, event=event, user=member)

    assert (error.kind, error.message) == (Kind.FORBIDDEN, JOIN_TO_RSVP)
    assert effective_for_event(event).qa_audience == "members"
    assert qa_refusal(member, event) == (
        "This Q&A is for members of the group: join the group to take part."
    )


def test_members_only_group_lets_a_member_rsvp(group, event, member, joined):
    GroupPolicy.objects.create(group=group, rsvp_audience="members")

    result = rsvp_services.rsvp_create(event=event, user=fresh(member))

    assert result.rsvp.status == Rsvp.Status.GOING


def test_event_override_beats_the_group(group, event, member):
    GroupPolicy.objects.create(group=group, rsvp_audience="members")
    EventPolicy.objects.create(event=event, rsvp_audience="anyone")
    other = factories.make_event(group=group)

    assert rsvp_refusal(member, event) is None
    assert rsvp_refusal(member, other) == JOIN_TO_RSVP
    assert effective_for_event(event).qa_audience == "anyone"  # follows the event's RSVP


def test_event_same_as_group_follows_later_group_changes(group, event, member, organiser):
    services.event_policy_set(event=event, user=organiser, rsvp_audience="", qa_audience="")
    services.group_policy_set(
        group=group, user=organiser, rsvp_audience="members", qa_audience="checked_in"
    )

    effective = effective_for_event(Event.objects.get(pk=event.pk))

    assert (effective.rsvp_audience, effective.qa_audience) == ("members", "checked_in")


def test_group_qa_choice_beats_the_rsvp_default(group, event, member):
    GroupPolicy.objects.create(group=group, rsvp_audience="members", qa_audience="anyone")

    assert (can_rsvp(member, event), can_ask(member, event)) == (False, True)


def test_qa_for_people_going(group, event, member):
    EventPolicy.objects.create(event=event, qa_audience="rsvpd")
    assert qa_refusal(member, event) == (
        "This Q&A is for people going to the event: RSVP to take part."
    )

    rsvp_services.rsvp_create(event=event, user=member)

    assert can_ask(fresh(member), Event.objects.get(pk=event.pk)) is True


def test_qa_for_people_checked_in(group, event, member, organiser):
    EventPolicy.objects.create(event=event, qa_audience="checked_in")
    rsvp = rsvp_services.rsvp_create(event=event, user=member).rsvp
    assert can_ask(member, event) is False

    rsvp_services.rsvp_check_in(rsvp=rsvp, user=organiser)

    assert can_ask(fresh(member), Event.objects.get(pk=event.pk)) is True


def test_organisers_take_part_whatever_the_policy(group, event, organiser):
    EventPolicy.objects.create(event=event, rsvp_audience="members", qa_audience="checked_in")

    assert (can_rsvp(organiser, event), can_ask(organiser, event)) == (True, True)


def test_policy_choices_are_validated(group, organiser):
    error = _refusal(
        services.group_policy_set,
        group=group,
        user=organiser,
        rsvp_audience="everyone",
        qa_audience="",
    )
    assert (error.kind, error.field) == (Kind.INVALID, "rsvp_audience")


def test_members_only_panel_offers_to_join_in_one_click(client, group, event, member):
    GroupPolicy.objects.create(group=group, rsvp_audience="members")
    client.force_login(member)

    page = client.get(event.get_absolute_url()).content.decode()

    assert f'<p class="text-sm text-stone-700" id="rsvp-refusal">{JOIN_TO_RSVP}</p>' in page
    assert f'action="/groups/{group.slug}/join/"' in page
    assert 'data-focus-key="rsvp-join">Join the group</button>' in page

    response = client.post(
        f"/groups/{group.slug}/join/", {"next": event.get_absolute_url() + "#rsvp-panel"}
    )
    assert response.status_code == 302
    assert response.url == event.get_absolute_url() + "#rsvp-panel"
    page = client.get(event.get_absolute_url()).content.decode()
    assert 'id="rsvp-refusal"' not in page
    assert f'action="/events/{event.slug}/rsvp/going/"' in page
