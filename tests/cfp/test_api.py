"""The call-for-talks API: same rules as the pages, CSRF or token on every write."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from cfp.models import CallForTalks, Proposal, ProposalVote
from meetups.models import Talk
from portal.services import api_token_create
from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    _, raw = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client, url, body=None, **extra):
    return client.post(url, json.dumps(body or {}), content_type="application/json", **extra)


def test_api_list_ideas_with_votes(client, group, idea, member):
    client.login(username=member.username, password=PASSWORD)
    client.post(f"/groups/{group.slug}/ideas/{idea.pk}/vote/")
    body = client.get(f"/api/groups/{group.slug}/ideas").json()
    assert body["items"] == [
        {
            "id": idea.pk,
            "title": "Channels with HTMX",
            "description": "Live pages.",
            "vote_count": 1,
            "voted": True,
            "proposal_count": 0,
        }
    ]


def test_api_list_proposals_hides_counts_until_close(client, group, voting_proposal, open_call):
    ProposalVote.objects.create(proposal=voting_proposal, user=factories.make_user())
    url = f"/api/groups/{group.slug}/proposals"
    assert client.get(url).json()["items"][0]["vote_count"] == 1
    open_call.tallies = CallForTalks.Tallies.ON_CLOSE
    open_call.save()
    item = client.get(url).json()["items"][0]
    assert (item["vote_count"], item["speakers"]) == (None, ["Sam Speaker"])
    # Only proposals in voting are listed; private notes never are.
    assert "notes_for_organisers" not in item


def test_api_submit_with_token(client, group, member, idea, event):
    response = post(
        client,
        f"/api/groups/{group.slug}/proposals",
        {
            "title": "Async ORM",
            "abstract": "What works today.",
            "length_minutes": 10,
            "idea": idea.pk,
            "preferred_events": [event.slug],
        },
        **bearer(member),
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["title"], body["status"], body["preferred_events"]) == (
        "Async ORM",
        "submitted",
        [event.slug],
    )
    assert Proposal.objects.get().submitter == member


def test_api_submit_with_session_requires_csrf(group, member):
    client = Client(enforce_csrf_checks=True)
    client.login(username=member.username, password=PASSWORD)
    body = {"title": "T", "abstract": "A", "length_minutes": 10}
    response = post(client, f"/api/groups/{group.slug}/proposals", body)
    assert response.status_code == 403
    assert Proposal.objects.count() == 0


def test_api_submit_anonymous_401(client, group):
    body = {"title": "T", "abstract": "A", "length_minutes": 10}
    assert post(client, f"/api/groups/{group.slug}/proposals", body).status_code == 401


def test_api_submit_bad_length_422(client, group, member):
    body = {"title": "T", "abstract": "A", "length_minutes": 17}
    response = post(client, f"/api/groups/{group.slug}/proposals", body, **bearer(member))
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Choose a length of 5, 10, 20, 30 minutes.",
        "kind": "invalid",
        "field": "length_minutes",
    }


def test_api_submit_after_close_409(client, group, member):
    CallForTalks.objects.create(group=group, closes_at=timezone.now() - timedelta(hours=1))
    body = {"title": "T", "abstract": "A", "length_minutes": 10}
    response = post(client, f"/api/groups/{group.slug}/proposals", body, **bearer(member))
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "The call for talks is closed.", "kind": "conflict", "field": None},
    )
    assert Proposal.objects.count() == 0


def test_api_edit_and_withdraw_own_proposal(client, proposal, speaker_user):
    auth = bearer(speaker_user)
    response = client.patch(
        f"/api/proposals/{proposal.pk}",
        json.dumps({"title": "Renamed", "length_minutes": 30}),
        content_type="application/json",
        **auth,
    )
    assert (response.status_code, response.json()["title"]) == (200, "Renamed")
    response = post(client, f"/api/proposals/{proposal.pk}/withdraw", **auth)
    assert response.json()["status"] == "withdrawn"


def test_api_edit_someone_elses_proposal_404(client, proposal, member):
    response = client.patch(
        f"/api/proposals/{proposal.pk}",
        json.dumps({"title": "Hijack"}),
        content_type="application/json",
        **bearer(member),
    )
    assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.title == "Live pages with Channels"


def test_api_vote_once_then_unvote(client, voting_proposal, member):
    auth = bearer(member)
    url = f"/api/proposals/{voting_proposal.pk}/vote"
    assert post(client, url, **auth).json() == {"voted": True, "changed": True}
    assert post(client, url, **auth).json() == {"voted": True, "changed": False}
    assert ProposalVote.objects.filter(proposal=voting_proposal).count() == 1
    assert client.delete(url, **auth).json() == {"voted": False, "changed": True}
    assert ProposalVote.objects.count() == 0


def test_api_vote_on_submitted_proposal_404(client, proposal, member):
    assert post(client, f"/api/proposals/{proposal.pk}/vote", **bearer(member)).status_code == 404


def test_api_vote_window_closed_409(client, voting_proposal, member, open_call):
    open_call.voting_closes_at = timezone.now() - timedelta(seconds=1)
    open_call.save()
    response = post(client, f"/api/proposals/{voting_proposal.pk}/vote", **bearer(member))
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "Voting is closed.", "kind": "conflict", "field": None},
    )
    assert ProposalVote.objects.count() == 0


def test_api_vote_rate_limited_429(client, voting_proposal, member, settings, stopped_clock):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "cfp.vote": "3/h"}
    auth = bearer(member)
    url = f"/api/proposals/{voting_proposal.pk}/vote"
    statuses = [post(client, url, **auth).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    body = post(client, url, **auth).json()
    assert (body["kind"], body["field"]) == ("rate_limited", None)
    assert body["detail"].startswith(
        "You are going a little fast: this can be done 3 times an hour."
    )
    assert ProposalVote.objects.filter(proposal=voting_proposal).count() == 1


def test_api_organiser_review_accept_and_schedule(
    client, proposal, organiser, event, django_capture_on_commit_callbacks
):
    auth = bearer(organiser)
    review = client.put(
        f"/api/proposals/{proposal.pk}/review",
        json.dumps({"score": 4, "note": "Solid"}),
        content_type="application/json",
        **auth,
    )
    assert review.json() == {"proposal": proposal.pk, "score": 4, "note": "Solid"}
    with django_capture_on_commit_callbacks(execute=True):
        decided = post(
            client, f"/api/proposals/{proposal.pk}/decision", {"action": "accept"}, **auth
        )
    assert decided.json()["status"] == "accepted"
    assert len(mail.outbox) == 1
    scheduled = post(
        client, f"/api/proposals/{proposal.pk}/schedule", {"event": event.slug}, **auth
    )
    talk = Talk.objects.get()
    assert scheduled.json() == {
        "proposal": proposal.pk,
        "talk": talk.slug,
        "event": event.slug,
        "order": 1,
    }


@pytest.mark.parametrize("who", ["member", "speaker_user", "other_organiser"])
def test_api_review_decisions_404_for_non_organisers(client, proposal, who, request):
    auth = bearer(request.getfixturevalue(who))
    response = post(client, f"/api/proposals/{proposal.pk}/decision", {"action": "accept"}, **auth)
    assert response.status_code == 404
    review = client.put(
        f"/api/proposals/{proposal.pk}/review",
        json.dumps({"score": 5}),
        content_type="application/json",
        **auth,
    )
    assert review.status_code == 404
    proposal.refresh_from_db()
    assert (proposal.status, proposal.reviews.count()) == ("submitted", 0)


def test_api_decision_bad_transition_409(client, proposal, organiser):
    auth = bearer(organiser)
    post(client, f"/api/proposals/{proposal.pk}/decision", {"action": "decline"}, **auth)
    response = post(client, f"/api/proposals/{proposal.pk}/decision", {"action": "accept"}, **auth)
    assert response.status_code == 409
    assert response.json() == {
        "detail": "A proposal that is declined cannot become accepted.",
        "kind": "conflict",
        "field": None,
    }


def test_api_my_proposals_includes_private_fields(client, proposal, speaker_user):
    body = client.get("/api/me/proposals", **bearer(speaker_user)).json()
    assert [(p["id"], p["notes_for_organisers"]) for p in body] == [
        (proposal.pk, "SECRET-NOTE needs a HDMI adapter")
    ]


@pytest.mark.parametrize("path", ["/api/groups/{g}/ideas", "/api/groups/{g}/proposals"])
def test_api_cfp_lists_match_openapi_schema(client, group, voting_proposal, path):
    import jsonschema

    openapi = client.get("/api/openapi.json").json()
    template = path.replace("{g}", "{slug}")
    schema = openapi["paths"][template]["get"]["responses"]["200"]["content"]["application/json"]
    body = client.get(path.format(g=group.slug)).json()
    assert body["count"] == 1
    jsonschema.validate(
        body,
        {**schema["schema"], "components": openapi["components"]},
        cls=jsonschema.Draft202012Validator,
    )


def test_api_reopen_takes_a_declined_proposal_back_to_submitted(client, proposal, organiser):
    """Guards against: the API's "reopen" decision not reaching `proposal_reopen` (or it
    keeping the old status or the decline's message)."""
    auth = bearer(organiser)
    post(
        client,
        f"/api/proposals/{proposal.pk}/decision",
        {"action": "decline", "message": "Not now"},
        **auth,
    )

    response = post(client, f"/api/proposals/{proposal.pk}/decision", {"action": "reopen"}, **auth)

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["decision_message"]) == ("submitted", "")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_message) == ("submitted", "")


def test_api_reopen_takes_a_proposal_out_of_voting(client, voting_proposal, organiser, group):
    auth = bearer(organiser)

    response = post(
        client, f"/api/proposals/{voting_proposal.pk}/decision", {"action": "reopen"}, **auth
    )

    assert (response.status_code, response.json()["status"]) == (200, "submitted")
    assert client.get(f"/api/groups/{group.slug}/proposals").json()["items"] == []
