"""Who sees what: every call-for-talks page, for five kinds of visitor, with data that could leak.

The fixture data holds a submitted proposal with a private note, an organiser's review note,
and a proposal in voting; only the right people may see each.
"""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cfp import services
from cfp.models import CallForTalks, Proposal, ProposalVote, Review
from portal.services import api_token_create
from rsvp.services import rsvp_create
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
        "proposal_resubmit": (reverse("cfp:proposal_resubmit", kwargs={"pk": pk}), {}),
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
SPEAKER_WRITES = ["proposal_withdraw", "proposal_resubmit", "proposal_edit", "co_speaker_invite"]


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


# --- every rule on the page and the API alike (cfp.rules) ------------------------------------
#
# Each rule below answers the same way on the page and on the API route that asks it: not the
# person's to know about is 404 on both, a rule they can see is 403, a state that does not allow
# it now is 409. Anonymous API writes are 401 (no credentials), anonymous page writes go to the
# login page.


def _api_as(world, role) -> dict:
    user = world["users"][role]
    if user is None:
        return {}
    _, raw = api_token_create(user=user, name="matrix")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _api(client, method, url, body=None, **auth):
    return getattr(client, method)(
        url, json.dumps(body or {}), content_type="application/json", **auth
    )


def _api_writes(world) -> dict[str, tuple[str, str, dict]]:
    pk = world["proposal"].pk
    return {
        "review": ("put", f"/api/proposals/{pk}/review", {"score": 5, "note": ""}),
        "decision": ("post", f"/api/proposals/{pk}/decision", {"action": "vote"}),
        "schedule": ("post", f"/api/proposals/{pk}/schedule", {"event": world["event"].slug}),
        "edit": ("patch", f"/api/proposals/{pk}", {"title": "Hijacked"}),
        "withdraw": ("post", f"/api/proposals/{pk}/withdraw", {}),
    }


# cfp.review for review, decision and schedule; cfp.manage_proposal (the submitter) with
# cfp.edit_proposal for edit and withdraw. The organiser may schedule, but a submitted proposal
# is not accepted yet: the rule lets them through and the state says no (409).
API_WRITE_MATRIX = {
    "review": {"anonymous": 401, "member": 404, "speaker": 404, "other_organiser": 404,
               "organiser": 200},
    "decision": {"anonymous": 401, "member": 404, "speaker": 404, "other_organiser": 404,
                 "organiser": 200},
    "schedule": {"anonymous": 401, "member": 404, "speaker": 404, "other_organiser": 404,
                 "organiser": 409},
    "edit": {"anonymous": 401, "member": 404, "speaker": 200, "other_organiser": 404,
             "organiser": 404},
    "withdraw": {"anonymous": 401, "member": 404, "speaker": 200, "other_organiser": 404,
                 "organiser": 404},
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(API_WRITE_MATRIX))
def test_api_writes_follow_the_same_rules(client, world, role, action):
    method, url, body = _api_writes(world)[action]
    before = _state(world)
    response = _api(client, method, url, body, **_api_as(world, role))
    assert response.status_code == API_WRITE_MATRIX[action][role]
    if response.status_code != 200:
        assert _state(world) == before
    if response.status_code in (404, 409):
        assert set(response.json()) == {"detail", "kind", "field"}


def _closed_call(open_call):
    open_call.closes_at = timezone.now() - timedelta(minutes=1)
    open_call.save()


def test_rule_edit_proposal_closed_call_is_409_on_page_and_api(client, group, world, open_call):
    """cfp.edit_proposal: the submitter, while the call is open and nothing is decided."""
    _closed_call(open_call)
    proposal = world["proposal"]
    before = _state(world)
    _client_as(client, world, "speaker")
    detail = client.get(reverse("cfp:proposal_detail", kwargs={"pk": proposal.pk}))
    assert detail.context["may_edit"] is False
    assert (
        reverse("cfp:proposal_withdraw", kwargs={"pk": proposal.pk}) not in detail.content.decode()
    )

    data = {"title": "Late", "abstract": "x", "length_minutes": 20, "audience_level": "everyone"}
    page = client.post(
        reverse("cfp:proposal_edit", kwargs={"pk": proposal.pk}), data, HTTP_HX_REQUEST="true"
    )
    assert page.status_code == 409
    assert (
        "The call for talks is closed, so proposals can no longer change." in page.content.decode()
    )
    auth = _api_as(world, "speaker")
    for method, url, body in (
        ("patch", f"/api/proposals/{proposal.pk}", {"title": "Late"}),
        ("post", f"/api/proposals/{proposal.pk}/withdraw", {}),
    ):
        response = _api(client, method, url, body, **auth)
        assert (response.status_code, response.json()) == (
            409,
            {
                "detail": "The call for talks is closed, so proposals can no longer change.",
                "kind": "conflict",
                "field": None,
            },
        )
    assert _state(world) == before


@pytest.mark.parametrize("role", ROLES)
def test_rule_edit_proposal_flag_on_the_proposal_page(client, world, role):
    """Only the submitter of an open proposal gets Edit and Withdraw; a co-speaker sees the page
    but not the buttons."""
    proposal = world["proposal"]
    co = factories.make_user(username="co")
    invitation = services.co_speaker_invite(
        user=world["users"]["speaker"], proposal=proposal, email=co.email
    )
    services.co_speaker_accept(user=co, token=invitation.token)
    world["users"]["member"] = co  # the member is now an accepted co-speaker
    response = _client_as(client, world, role).get(
        reverse("cfp:proposal_detail", kwargs={"pk": proposal.pk})
    )
    expected = {"anonymous": 302, "member": 200, "speaker": 200, "other_organiser": 404,
                "organiser": 404}  # fmt: skip
    assert response.status_code == expected[role]
    if response.status_code == 200:
        edit_url = reverse("cfp:proposal_edit", kwargs={"pk": proposal.pk})
        assert response.context["may_edit"] is (role == "speaker")
        assert response.context["may_invite"] is (role == "speaker")
        assert (edit_url in response.content.decode()) is (role == "speaker")


@pytest.fixture
def rsvp_only_call(open_call, world):
    """Voting restricted to members who RSVP'd; only the speaker has."""
    open_call.voting_requires_rsvp = True
    open_call.save()
    rsvp_create(event=world["event"], user=world["users"]["speaker"])
    return open_call


# cfp.vote_on_proposals, on the page (a plain POST: a vote redirects to the voting page) and on
# both API methods (add and remove spend the same rule).
VOTE_MATRIX = {
    "page": {"anonymous": 302, "member": 403, "speaker": 302, "other_organiser": 403,
             "organiser": 403},
    "api_post": {"anonymous": 401, "member": 403, "speaker": 200, "other_organiser": 403,
                 "organiser": 403},
    "api_delete": {"anonymous": 401, "member": 403, "speaker": 200, "other_organiser": 403,
                   "organiser": 403},
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", list(VOTE_MATRIX))
def test_rule_vote_on_proposals_page_and_api(client, group, world, rsvp_only_call, role, route):
    pk = world["in_voting"].pk
    if route == "page":
        _client_as(client, world, role)
        response = client.post(reverse("cfp:proposal_vote", kwargs={"pk": pk}))
    else:
        method = route.removeprefix("api_")
        response = _api(client, method, f"/api/proposals/{pk}/vote", **_api_as(world, role))
    assert response.status_code == VOTE_MATRIX[route][role]
    votes = ProposalVote.objects.filter(proposal_id=pk).count()
    assert votes == (1 if (role, route) in {("speaker", "page"), ("speaker", "api_post")} else 0)
    if response.status_code == 403:
        message = "Only members who have RSVP'd to one of our events can vote."
        if route == "page":
            assert escape(message) in response.content.decode()
        else:
            assert response.json() == {"detail": message, "kind": "forbidden", "field": None}


@pytest.mark.parametrize("role", ROLES)
def test_rule_vote_on_proposals_flag_on_the_voting_page(client, group, world, rsvp_only_call, role):
    response = _client_as(client, world, role).get(
        reverse("cfp:voting", kwargs={"slug": group.slug})
    )
    button = f'id="vote-button-{world["in_voting"].pk}"' in response.content.decode()
    # Anonymous visitors get the button (it leads to the login page).
    assert button is (role in {"anonymous", "speaker"})
    assert response.context["may_vote"] is button


def test_rule_vote_on_proposals_not_in_voting_is_404_on_page_and_api(client, world):
    pk = world["proposal"].pk  # submitted, not in voting
    _client_as(client, world, "member")
    assert client.post(reverse("cfp:proposal_vote", kwargs={"pk": pk})).status_code == 404
    auth = _api_as(world, "member")
    for method in ("post", "delete"):
        assert _api(client, method, f"/api/proposals/{pk}/vote", **auth).status_code == 404
    assert ProposalVote.objects.count() == 0


@pytest.mark.parametrize("role", ROLES)
def test_rule_view_tallies_page_poll_and_api(client, group, world, open_call, role):
    """cfp.view_tallies: hidden until voting closes, except for the group's organisers."""
    open_call.tallies = CallForTalks.Tallies.ON_CLOSE
    open_call.save()
    in_voting = world["in_voting"]
    for _ in range(3):
        ProposalVote.objects.create(proposal=in_voting, user=factories.make_user())
    sees = role == "organiser"
    _client_as(client, world, role)

    page = client.get(reverse("cfp:voting", kwargs={"slug": group.slug}))
    assert (f'id="tally-{in_voting.pk}"' in page.content.decode()) is sees
    poll = client.get(reverse("cfp:voting_tallies", kwargs={"slug": group.slug}))
    assert poll.status_code == (200 if sees else 204)
    api = client.get(f"/api/groups/{group.slug}/proposals", **_api_as(world, role))
    assert [item["vote_count"] for item in api.json()["items"]] == [3 if sees else None]


@pytest.mark.parametrize("role", ROLES)
def test_rule_post_idea_when_organisers_only(client, group, world, open_call, role):
    """cfp.post_idea: members when the call lets them, organisers always (no API route)."""
    open_call.members_may_post_ideas = False
    open_call.save()
    _client_as(client, world, role)
    url = reverse("cfp:idea_board", kwargs={"slug": group.slug})
    board = client.get(url)
    assert board.context["may_post"] is (role == "organiser")
    assert ('id="idea-form"' in board.content.decode()) is (role == "organiser")
    response = client.post(url, {"title": "Posted by " + role})
    expected = {"anonymous": 302, "member": 403, "speaker": 403, "other_organiser": 403,
                "organiser": 302}  # fmt: skip
    assert response.status_code == expected[role]
    assert list(
        group.talk_ideas.filter(title__startswith="Posted by").values_list("title", flat=True)
    ) == (["Posted by organiser"] if role == "organiser" else [])


@pytest.mark.parametrize("role", ROLES)
def test_rule_delete_idea_author_or_organiser(client, group, world, role):
    """cfp.delete_idea: its author (here the member) or the group's organisers."""
    idea = services.idea_create(user=world["users"]["member"], group=group, title="Mine")
    _client_as(client, world, role)
    detail = client.get(idea.get_absolute_url())
    may = role in {"member", "organiser"}
    assert detail.context["may_delete"] is may
    assert ("Delete this idea" in detail.content.decode()) is may
    response = client.post(reverse("cfp:idea_delete", kwargs={"slug": group.slug, "pk": idea.pk}))
    expected = {"anonymous": 302, "member": 302, "speaker": 404, "other_organiser": 404,
                "organiser": 302}  # fmt: skip
    assert response.status_code == expected[role]
    assert group.talk_ideas.filter(pk=idea.pk).exists() is not may


@pytest.mark.parametrize("role", ["member", "speaker", "other_organiser", "organiser"])
def test_registered_perms_answer_as_the_predicates(group, world, open_call, role):
    """Other apps and templates ask `user.has_perm("cfp....", obj)`: the same predicates."""
    open_call.tallies = CallForTalks.Tallies.ON_CLOSE
    open_call.members_may_post_ideas = False
    open_call.save()
    user = world["users"][role]
    call = CallForTalks.objects.for_group(group)
    proposal = world["proposal"]
    asked = {
        perm: user.has_perm(f"cfp.{perm}", obj)
        for perm, obj in [
            ("post_idea", call), ("view_tallies", call), ("vote_on_proposals", call),
            ("edit_proposal", proposal), ("manage_proposal", proposal),
            ("invite_co_speaker", proposal), ("review", group),
        ]
    }  # fmt: skip
    organiser = role == "organiser"
    speaker = role == "speaker"
    assert asked == {
        "post_idea": organiser, "view_tallies": organiser, "vote_on_proposals": True,
        "edit_proposal": speaker, "manage_proposal": speaker, "invite_co_speaker": speaker,
        "review": organiser,
    }  # fmt: skip


@pytest.mark.parametrize("role", ["member", "organiser"])
def test_review_perm_without_an_object_is_no(world, role):
    """Templates may ask `perms.cfp.review` with no group at hand: the answer is no, for an
    organiser too (not an error)."""
    assert world["users"][role].has_perm("cfp.review") is False


@pytest.mark.parametrize("role", ["member", "other_organiser", "organiser"])
def test_withdraw_confirmation_is_not_found_for_others(client, world, role):
    """The "withdraw it?" page names the proposal: to anyone but its submitter it is 404."""
    url = reverse("cfp:proposal_withdraw", kwargs={"pk": world["proposal"].pk})
    response = _client_as(client, world, role).get(url)
    assert response.status_code == 404
    assert HIDDEN_TITLE not in response.content.decode()


def test_rule_resubmit_proposal_closed_call_is_409_on_page_and_api(client, world, open_call):
    """cfp.resubmit_proposal: the submitter, a withdrawn proposal, while the call is open. Once
    it closes the page offers no resubmit, the page's POST says why and changes nothing, and
    the API answers the same refusal as 409."""
    proposal = world["proposal"]
    services.proposal_withdraw(user=world["users"]["speaker"], proposal=proposal)
    _closed_call(open_call)
    before = _state(world)
    _client_as(client, world, "speaker")
    detail = client.get(reverse("cfp:proposal_detail", kwargs={"pk": proposal.pk}))
    assert (detail.context["may_edit"], detail.context["may_resubmit"]) == (False, False)
    url = reverse("cfp:proposal_resubmit", kwargs={"pk": proposal.pk})
    assert url not in detail.content.decode()

    page = client.post(url, follow=True)
    message = "The call for talks is closed, so a withdrawn proposal cannot be resubmitted."
    assert [m.message for m in page.context["messages"]] == [message]
    response = _api(
        client, "post", f"/api/proposals/{proposal.pk}/resubmit", **_api_as(world, "speaker")
    )
    assert (response.status_code, response.json()) == (
        409,
        {"detail": message, "kind": "conflict", "field": None},
    )
    assert _state(world) == before


@pytest.mark.parametrize("role", ROLES)
def test_api_resubmit_follows_the_same_rules(client, world, role):
    """Only the submitter brings a withdrawn proposal back (200); anyone else learns nothing."""
    proposal = world["proposal"]
    services.proposal_withdraw(user=world["users"]["speaker"], proposal=proposal)
    before = _state(world)
    response = _api(
        client, "post", f"/api/proposals/{proposal.pk}/resubmit", **_api_as(world, role)
    )
    expected = {"anonymous": 401, "member": 404, "speaker": 200, "other_organiser": 404,
                "organiser": 404}  # fmt: skip
    assert response.status_code == expected[role]
    if role == "speaker":
        assert response.json()["status"] == "submitted"
        assert Proposal.objects.get(pk=proposal.pk).status == "submitted"
    else:
        assert _state(world) == before
