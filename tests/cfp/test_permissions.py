"""Who sees what: every call-for-talks page, for five kinds of visitor, with data that could leak.

The fixture data holds a submitted proposal with a private note, an organiser's review note,
and a proposal in voting; only the right people may see each.
"""

import pytest
from django.urls import reverse

from cfp import services
from cfp.models import Proposal, Review
from tests import factories
from tests.cfp.conftest import submit
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member", "speaker", "other_organiser", "organiser"]
SECRET_NOTE = "SECRET-NOTE"
REVIEW_NOTE = "REVIEW-NOTE-weak-demo"
HIDDEN_TITLE = "Quietly submitted talk"


@pytest.fixture
def world(group, organiser, member, speaker_user, other_organiser, proposal, event):
    """proposal: submitted with a private note; reviewed by the organiser. Another proposal by
    someone else is in voting. The event has a talk for the line-up."""
    services.review_save(user=organiser, proposal=proposal, score=2, note=REVIEW_NOTE)
    Proposal.objects.filter(pk=proposal.pk).update(title=HIDDEN_TITLE)
    in_voting = submit(group, factories.make_user(), title="Public talk in voting")
    services.proposal_open_voting(user=organiser, proposal=in_voting)
    factories.make_talk(event=event, title="Agenda talk", order=1)
    factories.make_talk(event=event, title="Closing talk", order=2)
    users = {
        "anonymous": None,
        "member": member,
        "speaker": speaker_user,
        "other_organiser": other_organiser,
        "organiser": organiser,
    }
    return {"proposal": proposal, "in_voting": in_voting, "event": event, "users": users}


def _client_as(client, world, role):
    user = world["users"][role]
    if user:
        assert client.login(username=user.username, password=PASSWORD)
    return client


def _urls(group, world) -> dict[str, str]:
    pk = world["proposal"].pk
    return {
        "review_list": reverse("cfp:review_list", kwargs={"slug": group.slug}),
        "review_detail": reverse("cfp:review_detail", kwargs={"slug": group.slug, "pk": pk}),
        "lineup": reverse(
            "cfp:lineup", kwargs={"slug": group.slug, "event_slug": world["event"].slug}
        ),
        "cfp_settings": reverse("cfp:settings", kwargs={"slug": group.slug}),
        "proposal_detail": reverse("cfp:proposal_detail", kwargs={"pk": pk}),
        "proposal_edit": reverse("cfp:proposal_edit", kwargs={"pk": pk}),
        "idea_board": reverse("cfp:idea_board", kwargs={"slug": group.slug}),
        "idea_detail": reverse(
            "cfp:idea_detail", kwargs={"slug": group.slug, "pk": world["proposal"].idea_id}
        ),
        "voting": reverse("cfp:voting", kwargs={"slug": group.slug}),
        "my_proposals": reverse("cfp:my_proposals"),
        "speaker_profile": reverse("cfp:speaker_profile"),
    }


# Expected GET status per page and role; 302 is the login redirect for anonymous visitors.
GET_MATRIX = {
    "review_list": {"anonymous": 404, "member": 404, "speaker": 404, "other_organiser": 404,
                    "organiser": 200},
    "review_detail": {"anonymous": 404, "member": 404, "speaker": 404, "other_organiser": 404,
                      "organiser": 200},
    "lineup": {"anonymous": 404, "member": 404, "speaker": 404, "other_organiser": 404,
               "organiser": 200},
    "cfp_settings": {"anonymous": 404, "member": 404, "speaker": 404, "other_organiser": 404,
                     "organiser": 200},
    "proposal_detail": {"anonymous": 302, "member": 404, "speaker": 200, "other_organiser": 404,
                        "organiser": 404},
    "proposal_edit": {"anonymous": 302, "member": 404, "speaker": 200, "other_organiser": 404,
                      "organiser": 404},
    "idea_board": dict.fromkeys(ROLES, 200),
    "idea_detail": dict.fromkeys(ROLES, 200),
    "voting": dict.fromkeys(ROLES, 200),
    "my_proposals": {"anonymous": 302, "member": 200, "speaker": 200, "other_organiser": 200,
                     "organiser": 200},
    "speaker_profile": {"anonymous": 302, "member": 200, "speaker": 200, "other_organiser": 200,
                        "organiser": 200},
}  # fmt: skip

# Who may see each secret anywhere on the page.
SEES_SECRET_NOTE = {"speaker": {"proposal_detail", "proposal_edit"},
                    "organiser": {"review_detail"}}  # fmt: skip
SEES_REVIEW_NOTE = {"organiser": {"review_list", "review_detail"}}
SEES_HIDDEN_TITLE = {
    "speaker": {"proposal_detail", "proposal_edit", "idea_board", "idea_detail", "my_proposals"},
    "organiser": {"review_list", "review_detail", "idea_board", "idea_detail"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(GET_MATRIX))
def test_cfp_page_access_and_leaks(client, group, world, role, page):
    url = _urls(group, world)[page]
    response = _client_as(client, world, role).get(url)

    assert response.status_code == GET_MATRIX[page][role]
    html = response.content.decode() if response.status_code == 200 else ""
    # The idea list shows a count and the detail shows the title of a proposal the viewer may
    # see; check the titles on the pages that list them by name.
    assert (SECRET_NOTE in html) == (page in SEES_SECRET_NOTE.get(role, set()))
    assert (REVIEW_NOTE in html) == (page in SEES_REVIEW_NOTE.get(role, set()))
    if page != "idea_board":  # the board shows counts, not titles
        assert (HIDDEN_TITLE in html) == (page in SEES_HIDDEN_TITLE.get(role, set()))


def test_idea_board_counts_only_visible_proposals(client, group, world):
    url = _urls(group, world)["idea_board"]
    ideas = {role: _client_as(client, world, role).get(url).context["ideas"] for role in ROLES}
    counts = {role: len(ideas[role][0].visible_proposals) for role in ROLES}
    assert counts == {"anonymous": 0, "member": 0, "speaker": 1, "other_organiser": 0,
                      "organiser": 1}  # fmt: skip


def _post_urls(group, world) -> dict[str, tuple[str, dict]]:
    pk = world["proposal"].pk
    talk = world["event"].talks.get(title="Agenda talk")
    review = {"slug": group.slug, "pk": pk}
    return {
        "review_score": (reverse("cfp:review_score", kwargs=review), {"score": 5, "note": ""}),
        "review_decide": (reverse("cfp:review_decide", kwargs=review), {"action": "accept"}),
        "review_schedule": (
            reverse("cfp:review_schedule", kwargs=review),
            {"event": world["event"].pk},
        ),
        "lineup_move": (
            reverse("cfp:lineup", kwargs={"slug": group.slug, "event_slug": world["event"].slug}),
            {"talk": talk.pk, "direction": "down"},
        ),
        "cfp_settings": (
            reverse("cfp:settings", kwargs={"slug": group.slug}),
            {"talk_lengths": "45", "tallies": "public"},
        ),
        "proposal_withdraw": (reverse("cfp:proposal_withdraw", kwargs={"pk": pk}), {}),
        "proposal_edit": (
            reverse("cfp:proposal_edit", kwargs={"pk": pk}),
            {
                "title": "Hijacked",
                "abstract": "x",
                "length_minutes": 20,
                "audience_level": "everyone",
            },
        ),
        "co_speaker_invite": (
            reverse("cfp:co_speaker_invite", kwargs={"pk": pk}),
            {"email": "intruder@example.com"},
        ),
    }


ORGANISER_WRITES = ["review_score", "review_decide", "review_schedule", "lineup_move",
                    "cfp_settings"]  # fmt: skip
SPEAKER_WRITES = ["proposal_withdraw", "proposal_edit", "co_speaker_invite"]


def _state(world):
    proposal = Proposal.objects.get(pk=world["proposal"].pk)
    return (
        proposal.status,
        proposal.title,
        proposal.co_speakers.count(),
        list(Review.objects.values_list("score", flat=True)),
        list(world["event"].talks.order_by("order").values_list("title", flat=True)),
        group_lengths(proposal.group),
    )


def group_lengths(group):
    call = getattr(group, "call_for_talks", None)
    return call.talk_lengths if call else None


@pytest.mark.parametrize("role", ["anonymous", "member", "speaker", "other_organiser"])
@pytest.mark.parametrize("action", ORGANISER_WRITES)
def test_organiser_writes_refused_for_others(client, group, world, role, action):
    url, data = _post_urls(group, world)[action]
    before = _state(world)
    response = _client_as(client, world, role).post(url, data)
    assert response.status_code == 404
    assert _state(world) == before


@pytest.mark.parametrize("role", ["member", "other_organiser", "organiser"])
@pytest.mark.parametrize("action", SPEAKER_WRITES)
def test_speaker_writes_refused_for_others(client, group, world, role, action):
    url, data = _post_urls(group, world)[action]
    before = _state(world)
    response = _client_as(client, world, role).post(url, data)
    assert response.status_code == 404
    assert _state(world) == before


@pytest.mark.parametrize("action", SPEAKER_WRITES)
def test_speaker_writes_anonymous_sent_to_login(client, group, world, action):
    url, data = _post_urls(group, world)[action]
    before = _state(world)
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert _state(world) == before


def test_organiser_writes_allowed_for_organiser(client, group, world):
    _client_as(client, world, "organiser")
    urls = _post_urls(group, world)
    for action in ["review_score", "review_decide", "review_schedule", "lineup_move"]:
        url, data = urls[action]
        assert client.post(url, data).status_code == 302, action
    proposal = Proposal.objects.get(pk=world["proposal"].pk)
    assert proposal.status == Proposal.Status.SCHEDULED
    assert list(world["event"].talks.order_by("order").values_list("title", flat=True)) == [
        "Closing talk",
        "Agenda talk",
        HIDDEN_TITLE,
    ]
