"""The speaker's journey without friction (issue #15), below the browser: the draft kept across
the speaker-profile detour, withdraw asking first and resubmit undoing it, the length starting
at the group's usual talk, the call's dates on the status pages, and results announced."""

import json
import re
from datetime import UTC, datetime

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from cfp import selectors, services
from cfp.forms import ProposalForm
from cfp.models import CallForTalks, Proposal
from tests import factories
from tests.cfp.conftest import submit
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _propose_url(group) -> str:
    return reverse("cfp:proposal_create", kwargs={"slug": group.slug})


def _draft(idea, **fields) -> dict:
    return {
        "title": "Live pages", "abstract": "Half written…", "length_minutes": "30",
        "audience_level": "beginner", "idea": str(idea.pk), "preferred_dates": "",
        "notes_for_organisers": "", "detour": "profile",
    } | fields  # fmt: skip


# --- the draft survives the profile detour ------------------------------------------------------


def test_detour_keeps_the_draft_and_goes_to_the_profile(
    client, group, open_call, speaker_user, idea
):
    """Guards: the profile link threw the typed proposal away. The button stores the draft
    and sends the speaker to the profile with `next` back to the form; nothing is submitted."""
    login(client, speaker_user)
    response = client.post(_propose_url(group), _draft(idea))
    assert response.status_code == 302
    assert response["Location"] == "/speaker-profile/?next=" + _propose_url(group).replace(
        "/", "%2F"
    )
    assert Proposal.objects.count() == 0
    assert client.session[f"cfp.proposal_draft.{group.pk}"] == {
        "title": "Live pages", "abstract": "Half written…", "length_minutes": "30",
        "audience_level": "beginner", "idea": str(idea.pk),
    }  # fmt: skip


def test_detour_over_htmx_is_a_client_redirect(client, group, open_call, speaker_user, idea):
    login(client, speaker_user)
    response = client.post(_propose_url(group), _draft(idea), **HTMX)
    assert (response.status_code, response["HX-Redirect"]) == (
        200,
        "/speaker-profile/?next=%2Fgroups%2F" + group.slug + "%2Fpropose%2F",
    )


def test_draft_is_restored_on_the_form_until_submitted(
    client, group, open_call, speaker_user, idea
):
    """Guards: coming back from the profile, the form is as the speaker left it (title,
    abstract, idea, length); once submitted the draft is gone."""
    login(client, speaker_user)
    client.post(_propose_url(group), _draft(idea))
    page = client.get(_propose_url(group))
    form = page.context["form"]
    assert (page.context["draft_restored"], form["title"].value(), form["abstract"].value()) == (
        True, "Live pages", "Half written…",
    )  # fmt: skip
    assert (form["idea"].value(), form["length_minutes"].value()) == (str(idea.pk), "30")
    assert "Your draft is back as you left it." in page.content.decode()

    data = _draft(idea)
    del data["detour"]
    assert client.post(_propose_url(group), data).status_code == 302
    assert f"cfp.proposal_draft.{group.pk}" not in client.session
    assert client.get(_propose_url(group)).context["form"]["title"].value() is None


def test_draft_keeps_only_what_the_form_accepts_within_bounds(group, open_call, idea):
    """Guards the session against what a stranger can post: unknown fields, over-long values,
    another group's idea or event, a length the call does not offer are all left out."""
    other_group = factories.make_group(slug="elsewhere")
    foreign_idea = services.idea_create(
        user=factories.make_user(), group=other_group, title="Theirs"
    )
    foreign_event = factories.make_event(group=other_group)
    data = QueryDict(mutable=True)
    data.update(
        {
            "title": "x" * 201,
            "abstract": "Kept",
            "length_minutes": "7",
            "idea": str(foreign_idea.pk),
            "audience_level": "wizard",
            "status": "accepted",
            "notes_for_organisers": "n" * 5001,
            "preferred_dates": "Wednesdays",
        }
    )
    data.setlist("preferred_events", [str(foreign_event.pk)])
    form = ProposalForm(data, group=group, call=open_call)
    assert form.draft_from(data) == {"abstract": "Kept", "preferred_dates": "Wednesdays"}


def test_profile_saved_goes_back_to_the_form_and_offers_a_way_back(client, speaker_user):
    login(client, speaker_user)
    url = reverse("cfp:speaker_profile") + "?next=/groups/g/propose/"
    page = client.get(url).content.decode()
    assert '<a href="/groups/g/propose/">Back without saving</a>' in page
    assert "Save profile and go back" in page
    response = client.post(url, {"name": "Sam", "next": "/groups/g/propose/"})
    assert (response.status_code, response["Location"]) == (302, "/groups/g/propose/")


def test_profile_ignores_a_next_to_another_site(client, speaker_user):
    login(client, speaker_user)
    url = reverse("cfp:speaker_profile") + "?next=https://evil.example/"
    assert "Back without saving" not in client.get(url).content.decode()
    response = client.post(url, {"name": "Sam", "next": "https://evil.example/"})
    assert response["Location"] == reverse("cfp:speaker_profile")


# --- withdraw asks first; resubmit undoes it ----------------------------------------------------


def test_withdraw_link_asks_first_and_writes_nothing(client, proposal, speaker_user):
    """Guards: withdraw was one click. The detail page links to a question; asking is a GET."""
    login(client, speaker_user)
    url = reverse("cfp:proposal_withdraw", kwargs={"pk": proposal.pk})
    detail = client.get(proposal.get_absolute_url()).content.decode()
    assert f'href="{url}" hx-get="{url}"' in detail
    page = client.get(url)
    html = page.content.decode()
    assert (page.status_code, page.templates[0].name) == (200, "cfp/proposal_withdraw.html")
    assert f"Withdraw “{proposal.title}”?" in html
    assert "Yes, withdraw it" in html
    assert Proposal.objects.get(pk=proposal.pk).status == "submitted"


def test_withdraw_question_over_htmx_is_the_fragment(client, proposal, speaker_user):
    login(client, speaker_user)
    url = reverse("cfp:proposal_withdraw", kwargs={"pk": proposal.pk})
    html = client.get(url, **HTMX).content.decode()
    assert html.lstrip().startswith('<div id="proposal-actions"')
    assert "<html" not in html
    assert "data-focus-after-swap" in html


def test_withdraw_then_resubmit_from_the_proposal_page(client, proposal, speaker_user):
    login(client, speaker_user)
    withdraw = reverse("cfp:proposal_withdraw", kwargs={"pk": proposal.pk})
    response = client.post(withdraw)
    assert (response.status_code, response["Location"]) == (302, proposal.get_absolute_url())
    page = client.get(proposal.get_absolute_url())
    resubmit = reverse("cfp:proposal_resubmit", kwargs={"pk": proposal.pk})
    assert (page.context["may_resubmit"], resubmit in page.content.decode()) == (True, True)

    response = client.post(resubmit, follow=True)
    assert [m.message for m in response.context["messages"]] == [
        f"“{proposal.title}” is submitted again."
    ]
    assert Proposal.objects.get(pk=proposal.pk).status == "submitted"


def test_resubmit_service_brings_a_withdrawn_proposal_back(proposal, speaker_user):
    services.proposal_withdraw(user=speaker_user, proposal=proposal)
    services.proposal_resubmit(user=speaker_user, proposal=proposal)
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.SUBMITTED


# --- the length starts at the group's usual talk ------------------------------------------------


def test_usual_length_without_proposals_is_a_talk_not_a_lightning_talk(group, open_call):
    """Guards: the form started at 5 minutes (the first choice)."""
    assert open_call.length_choices == [5, 10, 20, 30]
    assert selectors.proposal_length_usual(group=group, call=open_call) == 20


def test_usual_length_is_the_groups_most_common(group, open_call, member):
    for length in (30, 30, 5):
        submit(group, member, length_minutes=length)
    withdrawn = [submit(group, member, length_minutes=10) for _ in range(3)]
    for proposal in withdrawn:
        services.proposal_withdraw(user=member, proposal=proposal)
    assert selectors.proposal_length_usual(group=group, call=open_call) == 30


def test_usual_length_only_among_lengths_the_call_offers(group, open_call, member):
    submit(group, member, length_minutes=30)
    open_call.talk_lengths = "15,25,45"
    open_call.save()
    assert selectors.proposal_length_usual(group=group, call=open_call) == 25


def test_form_starts_at_the_usual_length_and_says_so(client, group, open_call, member):
    submit(group, member, length_minutes=30)
    login(client, member)
    html = client.get(_propose_url(group)).content.decode()
    checked = re.findall(r'name="length_minutes" value="(\d+)"[^>]* checked', html)
    assert checked == ["30"]
    assert "Set to 30 minutes, the usual talk here; pick yours." in html


def test_edit_form_keeps_the_proposals_own_length(client, proposal, speaker_user, group):
    submit(group, factories.make_user(), length_minutes=30)
    submit(group, factories.make_user(), length_minutes=30)
    login(client, speaker_user)
    page = client.get(reverse("cfp:proposal_edit", kwargs={"pk": proposal.pk}))
    assert page.context["form"]["length_minutes"].value() == 20


# --- the call's dates on the status pages -------------------------------------------------------


@pytest.fixture
def dated_call(group, open_call):
    """Sydney is UTC+11 in December: 07:00 UTC shows as 18:00."""
    group.time_zone = "Australia/Sydney"
    group.save()
    open_call.closes_at = datetime(2099, 12, 1, 7, 0, tzinfo=UTC)
    open_call.voting_closes_at = datetime(2099, 12, 8, 7, 0, tzinfo=UTC)
    open_call.decisions_at = datetime(2099, 12, 15, 7, 0, tzinfo=UTC)
    open_call.save()
    return open_call


def _dates(html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", dd)).strip()
        for dd in re.findall(r"<dd[^>]*>(.*?)</dd>", html, flags=re.S)
    ]


def test_status_page_shows_the_calls_dates_in_the_groups_time_zone(
    client, proposal, speaker_user, dated_call
):
    """Guards: the status page said nothing of when voting closes or decisions come."""
    login(client, speaker_user)
    html = client.get(proposal.get_absolute_url()).content.decode()
    assert _dates(html) == ["Tue 1 Dec 2099, 18:00", "Tue 8 Dec 2099, 18:00",
                            "Tue 15 Dec 2099, 18:00"]  # fmt: skip
    assert "Times in Australia/Sydney." in html


def test_status_page_says_when_dates_are_not_set(client, group, speaker_user):
    CallForTalks.objects.create(group=group)
    proposal = submit(group, speaker_user)
    login(client, speaker_user)
    html = client.get(proposal.get_absolute_url()).content.decode()
    assert _dates(html) == [
        "No date: the call is open all year",
        "No audience vote is planned",
        "No date set yet: the organisers will email you",
    ]


def test_my_proposals_shows_the_dates_of_pending_proposals_only(
    client, group, proposal, speaker_user, organiser, dated_call
):
    decided = submit(group, speaker_user, title="Decided")
    services.proposal_decline(user=organiser, proposal=decided)
    login(client, speaker_user)
    html = client.get(reverse("cfp:my_proposals")).content.decode()
    assert _dates(html) == ["Tue 1 Dec 2099, 18:00", "Tue 8 Dec 2099, 18:00",
                            "Tue 15 Dec 2099, 18:00"]  # fmt: skip


def test_settings_store_the_decision_date(client, group, organiser, open_call):
    login(client, organiser)
    url = reverse("cfp:settings", kwargs={"slug": group.slug})
    assert 'name="decisions_at"' in client.get(url).content.decode()
    response = client.post(
        url,
        {"talk_lengths": "20,30", "tallies": "public", "decisions_at": "2099-12-15T18:00"},
    )
    assert response.status_code == 302
    call = CallForTalks.objects.get(group=group)
    assert timezone.localtime(call.decisions_at).strftime("%Y-%m-%d %H:%M") == "2099-12-15 18:00"


def test_api_call_for_talks_has_its_dates_and_usual_length(client, group, dated_call, member):
    submit(group, member, length_minutes=30)
    body = client.get(f"/api/groups/{group.slug}/call-for-talks").json()
    assert body == {
        "is_open": True, "opens_at": None, "closes_at": "2099-12-01T07:00:00Z",
        "voting_is_open": True, "voting_opens_at": body["voting_opens_at"],
        "voting_closes_at": "2099-12-08T07:00:00Z", "decisions_at": "2099-12-15T07:00:00Z",
        "time_zone": "Australia/Sydney", "talk_lengths": [5, 10, 20, 30], "usual_length": 30,
    }  # fmt: skip


# --- results announced --------------------------------------------------------------------------


def _announced(response) -> str:
    return json.loads(response["HX-Trigger"])["announce"]["message"]


def test_idea_vote_is_announced_with_its_title_and_a_plural_count(client, group, idea, member):
    login(client, member)
    url = reverse("cfp:idea_vote", kwargs={"slug": group.slug, "pk": idea.pk})
    first = client.post(url, **HTMX)
    assert _announced(first) == "You upvoted “Channels with HTMX”. 1 vote."
    assert 'aria-label="Upvote “Channels with HTMX”, 1 vote"' in first.content.decode()
    assert _announced(client.post(url, **HTMX)) == (
        "You took back your vote for “Channels with HTMX”. 0 votes."
    )


def test_proposal_vote_is_announced(client, voting_proposal, member):
    login(client, member)
    url = reverse("cfp:proposal_vote", kwargs={"pk": voting_proposal.pk})
    response = client.post(url, **HTMX)
    assert _announced(response) == f"Your vote for “{voting_proposal.title}” is in."
    assert json.loads(response["HX-Trigger"])["votesChanged"] == {}
    assert 'data-focus-key="proposal-vote-' in response.content.decode()


def test_review_results_announce_their_count(client, group, organiser, proposal):
    login(client, organiser)
    url = reverse("cfp:review_list", kwargs={"slug": group.slug})
    html = client.get(url, {"status": "submitted"}, HTTP_HX_TARGET="review-results", **HTMX)
    assert 'data-announce="1 proposal matches."' in html.content.decode()
    assert "aria-live" not in html.content.decode()
