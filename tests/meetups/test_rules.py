"""meetups.rules, the predicates every app asks: who organises a group, who may see an event."""

import pytest
from django.contrib.auth.models import AnonymousUser

from meetups.models import Event
from meetups.rules import can_view_event, is_event_public, is_group_organiser, is_talk_speaker
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    owner = factories.make_user(username="owner")
    group = factories.make_group(owner=owner)
    co = factories.make_user(username="co")
    group.organisers.add(co)
    return {
        "group": group,
        "owner": owner,  # owns the group without being listed among its organisers
        "co": co,
        "staff": factories.make_user(username="staff", is_staff=True),
        "member": factories.make_user(username="member"),
        "anonymous": AnonymousUser(),
    }


@pytest.mark.parametrize(
    ("who", "organises"),
    [("owner", True), ("co", True), ("staff", True), ("member", False), ("anonymous", False)],
)
def test_who_organises_a_group_and_its_events(people, who, organises):
    event = factories.make_event(group=people["group"])

    answers = (
        is_group_organiser(people[who], people["group"]),
        is_group_organiser(people[who], event),
        people[who].has_perm("meetups.organise_group", people["group"]),
    )

    assert answers == (organises, organises, organises)


def test_nobody_organises_nothing(people):
    assert [is_group_organiser(people[who], None) for who in ("owner", "staff")] == [False, False]


@pytest.mark.parametrize(
    ("status", "public"),
    [(Event.Status.DRAFT, False), (Event.Status.PUBLISHED, True), (Event.Status.CANCELLED, True)],
)
def test_a_draft_is_seen_by_its_organisers_only(people, status, public):
    event = factories.make_event(group=people["group"], status=status)

    seen = {who: can_view_event(people[who], event) for who in ("co", "member", "anonymous")}

    assert is_event_public(people["member"], event) is public
    assert seen == {"co": True, "member": public, "anonymous": public}


def test_no_event_is_not_public(people):
    assert is_event_public(people["member"], None) is False


def test_a_visitor_is_not_the_speaker_of_a_talk_whose_speaker_has_no_account(group):
    """Breaks: `is_talk_speaker` asking a signed-out visitor's id (None) of the talk's speakers
    when a talk is given (`and` for `or`): a speaker without an account has no user id either,
    so the visitor would count as that talk's speaker."""
    talk = factories.make_talk(
        event=factories.make_event(group=group), speakers=[factories.make_speaker()]
    )

    assert is_talk_speaker(AnonymousUser(), talk) is False
