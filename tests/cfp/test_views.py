"""Call-for-talks pages: htmx partials and 422s, plain POST redirects, rate limits, photos."""

import json
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cfp import services
from cfp.models import CallForTalks, IdeaVote, Proposal, ProposalVote
from meetups.models import Speaker, Talk
from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


# --- ideas board --------------------------------------------------------------------------------


def test_idea_board_sorts_by_votes_and_newest(client, group, organiser, member):
    old = services.idea_create(user=organiser, group=group, title="Old but loved")
    services.idea_create(user=organiser, group=group, title="Brand new")
    services.idea_vote_toggle(user=member, idea=old)
    url = reverse("cfp:idea_board", kwargs={"slug": group.slug})

    by_votes = client.get(url).context["ideas"]
    newest = client.get(url + "?sort=newest").context["ideas"]

    assert [i.title for i in by_votes] == ["Old but loved", "Brand new"]
    assert [i.title for i in newest] == ["Brand new", "Old but loved"]


def test_idea_post_invalid_htmx_returns_422_partial(client, group, member):
    login(client, member)
    url = reverse("cfp:idea_board", kwargs={"slug": group.slug})
    response = client.post(url, {"title": ""}, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="idea-form"')
    assert "This field is required." in html
    assert "<html" not in html


def test_idea_post_without_js_redirects(client, group, member):
    login(client, member)
    url = reverse("cfp:idea_board", kwargs={"slug": group.slug})
    response = client.post(url, {"title": "Django on a Raspberry Pi", "description": ""})
    assert response.status_code == 302
    assert response["Location"] == url + "?sort=newest"
    assert group.talk_ideas.get().title == "Django on a Raspberry Pi"


def test_idea_post_by_member_refused_when_organisers_only(client, group, member):
    CallForTalks.objects.create(group=group, members_may_post_ideas=False)
    login(client, member)
    url = reverse("cfp:idea_board", kwargs={"slug": group.slug})
    response = client.post(url, {"title": "Sneaky"}, **HTMX)
    assert response.status_code == 403
    assert "Only organisers can post talk ideas" in response.content.decode()
    assert group.talk_ideas.count() == 0


def test_idea_vote_htmx_toggles_and_returns_button(client, group, member, idea):
    login(client, member)
    url = reverse("cfp:idea_vote", kwargs={"slug": group.slug, "pk": idea.pk})
    response = client.post(url, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-pressed="true"' in html
    assert IdeaVote.objects.filter(idea=idea, user=member).count() == 1
    client.post(url, **HTMX)
    assert IdeaVote.objects.filter(idea=idea).count() == 0


def test_idea_vote_anonymous_htmx_redirects_to_login(client, group, idea):
    url = reverse("cfp:idea_vote", kwargs={"slug": group.slug, "pk": idea.pk})
    response = client.post(url, HTTP_HX_CURRENT_URL="http://testserver/groups/x/ideas/", **HTMX)
    assert response.status_code == 200
    login = urlsplit(response["HX-Redirect"])
    assert (login.path, parse_qs(login.query)) == (
        "/accounts/login/",
        {"next": ["/groups/x/ideas/"]},
    )
    assert IdeaVote.objects.count() == 0


def test_idea_vote_rate_limited_with_429(client, group, member, idea, settings, stopped_clock):
    # An hour-long window: a minute-long one could roll over mid-test and reset the count.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "cfp.vote": "3/h"}
    login(client, member)
    url = reverse("cfp:idea_vote", kwargs={"slug": group.slug, "pk": idea.pk})
    statuses = [client.post(url, **HTMX).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.post(url, **HTMX)
    assert response["HX-Retarget"] == "#messages"
    assert (
        "You are going a little fast: this can be done 3 times an hour."
        in response.content.decode()
    )
    assert IdeaVote.objects.filter(idea=idea).count() == 1


# --- speaker profile ----------------------------------------------------------------------------


def test_speaker_profile_form_creates_profile_with_photo(client, member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    login(client, member)
    response = client.post(
        reverse("cfp:speaker_profile"),
        {
            "name": "Mem Ber",
            "bio": "Hi",
            "link_1_label": "Site",
            "link_1_url": "https://mem.example",
            "photo": SimpleUploadedFile("x.png", PNG, content_type="image/png"),
        },
    )
    assert response.status_code == 302
    speaker = Speaker.objects.get(user=member)
    assert (speaker.name, speaker.photo_content_type) == ("Mem Ber", "image/png")
    assert list(speaker.links.values_list("label", "url")) == [("Site", "https://mem.example")]


def test_speaker_profile_bad_photo_htmx_422_error_next_to_field(client, member):
    login(client, member)
    response = client.post(
        reverse("cfp:speaker_profile"),
        {"name": "Mem", "photo": SimpleUploadedFile("x.png", b"GIF89a....", "image/png")},
        **HTMX,
    )
    assert response.status_code == 422
    assert "The photo must be a PNG, JPEG or WebP image." in response.content.decode()
    assert Speaker.objects.count() == 0


def test_speaker_photo_served_with_recorded_type_and_nosniff(client, member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    speaker = services.speaker_profile_save(
        user=member, name="Mem", bio="", photo=SimpleUploadedFile("a.html", PNG)
    )
    response = client.get(reverse("cfp:speaker_photo", kwargs={"slug": speaker.slug}))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG


def test_speaker_photo_missing_is_404(client):
    speaker = factories.make_speaker()
    response = client.get(reverse("cfp:speaker_photo", kwargs={"slug": speaker.slug}))
    assert response.status_code == 404


# --- proposals ----------------------------------------------------------------------------------


def _proposal_data(idea=None, **overrides):
    data = {
        "title": "Websockets for humans",
        "abstract": "**Bold** <script>alert(1)</script>",
        "length_minutes": "20",
        "audience_level": "beginner",
        "idea": idea.pk if idea else "",
        "preferred_dates": "Any Wednesday",
        "notes_for_organisers": "Needs HDMI",
    }
    return data | overrides


def test_proposal_create_invalid_htmx_422_with_inline_errors(client, group, member, open_call):
    login(client, member)
    url = reverse("cfp:proposal_create", kwargs={"slug": group.slug})
    response = client.post(url, _proposal_data(title="", length_minutes="17"), **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="proposal-form"')
    assert "This field is required." in html
    assert "Select a valid choice. 17 is not one of the available choices." in html
    assert Proposal.objects.count() == 0


def test_proposal_create_without_js_redirects_to_proposal(client, group, member, idea, event):
    login(client, member)
    url = reverse("cfp:proposal_create", kwargs={"slug": group.slug})
    response = client.post(url, _proposal_data(idea, preferred_events=[event.pk]))
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == proposal.get_absolute_url()
    assert (proposal.idea, list(proposal.preferred_events.all())) == (idea, [event])


def test_proposal_create_htmx_success_client_redirects(client, group, member):
    login(client, member)
    url = reverse("cfp:proposal_create", kwargs={"slug": group.slug})
    response = client.post(url, _proposal_data(), **HTMX)
    assert response["HX-Redirect"] == Proposal.objects.get().get_absolute_url()


def test_proposal_create_when_call_closed_shows_closed(client, group, member):
    CallForTalks.objects.create(group=group, closes_at=timezone.now() - timedelta(days=1))
    login(client, member)
    url = reverse("cfp:proposal_create", kwargs={"slug": group.slug})
    assert "The call for talks is closed" in client.get(url).content.decode()
    response = client.post(url, _proposal_data(), **HTMX)
    assert response.status_code == 409
    assert "The call for talks is closed." in response.content.decode()
    assert Proposal.objects.count() == 0


def test_proposal_abstract_rendered_sanitised(client, voting_proposal, member, group):
    Proposal.objects.filter(pk=voting_proposal.pk).update(abstract="**Hi** <script>x()</script>")
    html = client.get(reverse("cfp:voting", kwargs={"slug": group.slug})).content.decode()
    assert "<strong>Hi</strong>" in html
    assert "<script>x()" not in html


def test_proposal_edit_and_withdraw_by_submitter(client, proposal, speaker_user):
    login(client, speaker_user)
    edit = reverse("cfp:proposal_edit", kwargs={"pk": proposal.pk})
    response = client.post(edit, _proposal_data(title="Renamed"))
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.title == "Renamed"
    client.post(reverse("cfp:proposal_withdraw", kwargs={"pk": proposal.pk}))
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.WITHDRAWN
    mine = client.get(reverse("cfp:my_proposals")).content.decode()
    assert "Withdrawn" in mine


def test_my_proposals_shows_status_and_event(client, proposal, speaker_user, organiser, event):
    services.proposal_accept(user=organiser, proposal=proposal)
    services.proposal_schedule(user=organiser, proposal=proposal, event=event)
    login(client, speaker_user)
    html = client.get(reverse("cfp:my_proposals")).content.decode()
    assert "Scheduled" in html
    assert event.title in html


def test_co_speaker_invite_and_accept_through_pages(
    client, proposal, speaker_user, member, django_capture_on_commit_callbacks
):
    login(client, speaker_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cfp:co_speaker_invite", kwargs={"pk": proposal.pk}),
            {"email": member.email},
        )
    assert response.status_code == 302
    link = next(line for line in mail.outbox[0].body.splitlines() if "/invitations/" in line)
    path = link.removeprefix("http://127.0.0.1:8000")
    client.logout()
    login(client, member)
    response = client.post(path)
    assert response["Location"] == proposal.get_absolute_url()
    assert client.get(proposal.get_absolute_url()).status_code == 200


def test_invitation_with_unknown_token_is_404(client, member):
    login(client, member)
    assert client.get("/invitations/not-a-token/").status_code == 404


# --- voting -------------------------------------------------------------------------------------


def test_voting_htmx_toggle_updates_count(client, voting_proposal, member):
    login(client, member)
    url = reverse("cfp:proposal_vote", kwargs={"pk": voting_proposal.pk})
    response = client.post(url, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-pressed="true"' in html
    assert '<span class="block text-2xl font-bold">1</span>' in html
    assert json.loads(response["HX-Trigger"]) == {
        "announce": {"message": f"Your vote for “{voting_proposal.title}” is in."},
        "votesChanged": {},
    }
    assert ProposalVote.objects.filter(user=member).count() == 1


def test_voting_without_js_redirects_to_anchor(client, voting_proposal, member, group):
    login(client, member)
    response = client.post(reverse("cfp:proposal_vote", kwargs={"pk": voting_proposal.pk}))
    assert response["Location"] == f"/groups/{group.slug}/vote/#proposal-{voting_proposal.pk}"


def test_voting_closed_htmx_409_message(client, voting_proposal, member, open_call):
    open_call.voting_closes_at = timezone.now() - timedelta(minutes=1)
    open_call.save()
    login(client, member)
    response = client.post(reverse("cfp:proposal_vote", kwargs={"pk": voting_proposal.pk}), **HTMX)
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#messages"
    assert "Voting is closed." in response.content.decode()
    assert ProposalVote.objects.count() == 0


def test_voting_page_hides_tallies_until_close(client, voting_proposal, member, open_call, group):
    open_call.tallies = CallForTalks.Tallies.ON_CLOSE
    open_call.save()
    for _ in range(3):
        ProposalVote.objects.create(proposal=voting_proposal, user=factories.make_user())
    login(client, member)
    url = reverse("cfp:voting", kwargs={"slug": group.slug})
    assert f'id="tally-{voting_proposal.pk}"' not in client.get(url).content.decode()
    tallies = reverse("cfp:voting_tallies", kwargs={"slug": group.slug})
    assert client.get(tallies).status_code == 204

    open_call.voting_closes_at = timezone.now() - timedelta(seconds=1)
    open_call.save()
    html = client.get(url).content.decode()
    assert f'id="tally-{voting_proposal.pk}"' in html
    assert '<span class="block text-2xl font-bold">3</span>' in html


def test_voting_tallies_poll_returns_oob_counts(client, voting_proposal, group):
    ProposalVote.objects.create(proposal=voting_proposal, user=factories.make_user())
    response = client.get(reverse("cfp:voting_tallies", kwargs={"slug": group.slug}))
    html = response.content.decode()
    assert f'id="tally-{voting_proposal.pk}"' in html
    assert 'hx-swap-oob="true"' in html
    assert '<span class="block text-2xl font-bold">1</span>vote</p>' in html


def test_voting_page_polls_every_10s_when_tallies_public(client, voting_proposal, group):
    html = client.get(reverse("cfp:voting", kwargs={"slug": group.slug})).content.decode()
    assert 'hx-trigger="every 10s, votesChanged from:body"' in html


# --- organiser review and line-up -----------------------------------------------------------------


def test_review_filters_by_status_length_and_idea(client, group, organiser, open_call, idea):
    a = services.proposal_submit(
        user=factories.make_user(), group=group, title="A", abstract="a", length_minutes=5
    )
    services.proposal_submit(
        user=factories.make_user(), group=group, title="B", abstract="b", length_minutes=20,
        idea=idea,
    )  # fmt: skip
    services.proposal_accept(user=organiser, proposal=a)
    login(client, organiser)
    url = reverse("cfp:review_list", kwargs={"slug": group.slug})

    def titles(query):
        return [p.title for p in client.get(url + query).context["proposals"]]

    assert titles("?status=accepted") == ["A"]
    assert titles("?length=20") == ["B"]
    assert titles(f"?idea={idea.pk}") == ["B"]
    assert sorted(titles("")) == ["A", "B"]


def test_review_score_htmx_and_invalid_422(client, group, organiser, proposal):
    login(client, organiser)
    url = reverse("cfp:review_score", kwargs={"slug": group.slug, "pk": proposal.pk})
    response = client.post(url, {"score": "4", "note": "Good"}, **HTMX)
    assert response.status_code == 200
    assert "Saved." in response.content.decode()
    assert proposal.reviews.get().score == 4
    response = client.post(url, {"score": "9", "note": ""}, **HTMX)
    assert response.status_code == 422
    assert proposal.reviews.get().score == 4


def test_review_accept_schedule_and_reorder_without_js(
    client, group, organiser, proposal, event, django_capture_on_commit_callbacks
):
    first = factories.make_talk(event=event, title="Opening", order=1)
    login(client, organiser)
    decide = reverse("cfp:review_decide", kwargs={"slug": group.slug, "pk": proposal.pk})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(decide, {"action": "accept", "message": "Yay"})
    assert mail.outbox[0].subject == "Your talk “Live pages with Channels” is accepted"

    schedule = reverse("cfp:review_schedule", kwargs={"slug": group.slug, "pk": proposal.pk})
    response = client.post(schedule, {"event": event.pk})
    lineup = reverse("cfp:lineup", kwargs={"slug": group.slug, "event_slug": event.slug})
    assert response["Location"] == lineup
    talk = Talk.objects.get(proposal__pk=proposal.pk)

    client.post(lineup, {"talk": talk.pk, "direction": "up"})
    order = list(event.talks.order_by("order").values_list("title", flat=True))
    assert order == ["Live pages with Channels", "Opening"]
    assert first.pk != talk.pk

    event_page = client.get(event.get_absolute_url()).content.decode()
    assert "Live pages with Channels" in event_page
    assert "Sam Speaker" in event_page


def test_lineup_htmx_move_returns_agenda_partial(client, group, organiser, event):
    factories.make_talk(event=event, title="One", order=1)
    two = factories.make_talk(event=event, title="Two", order=2)
    login(client, organiser)
    lineup = reverse("cfp:lineup", kwargs={"slug": group.slug, "event_slug": event.slug})
    response = client.post(lineup, {"talk": two.pk, "direction": "up"}, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<ol id="agenda"')
    assert html.index("Two") < html.index("One")


def test_review_decline_with_message_visible_to_speaker(
    client, group, organiser, proposal, speaker_user
):
    login(client, organiser)
    decide = reverse("cfp:review_decide", kwargs={"slug": group.slug, "pk": proposal.pk})
    client.post(decide, {"action": "decline", "message": "Not this season"})
    client.logout()
    login(client, speaker_user)
    html = client.get(proposal.get_absolute_url()).content.decode()
    assert "Not this season" in html
    assert "Declined" in html


def test_cfp_settings_saved_by_organiser(client, group, organiser):
    login(client, organiser)
    url = reverse("cfp:settings", kwargs={"slug": group.slug})
    response = client.post(
        url,
        {
            "opens_at": "",
            "closes_at": "",
            "talk_lengths": "30, 5,10",
            "members_may_post_ideas": "",
            "voting_opens_at": "2030-01-01T18:00",
            "voting_closes_at": "2030-01-08T18:00",
            "tallies": "public",
        },
    )
    assert response.status_code == 302
    call = CallForTalks.objects.get(group=group)
    assert (call.talk_lengths, call.members_may_post_ideas, call.tallies) == (
        "5,10,30",
        False,
        "public",
    )


def test_cfp_settings_voting_close_before_open_422(client, group, organiser):
    login(client, organiser)
    url = reverse("cfp:settings", kwargs={"slug": group.slug})
    response = client.post(
        url,
        {
            "talk_lengths": "5",
            "voting_opens_at": "2030-01-08T18:00",
            "voting_closes_at": "2030-01-01T18:00",
            "tallies": "public",
        },
        **HTMX,
    )
    assert response.status_code == 422
    assert "Must be after the opening time." in response.content.decode()


def test_idea_delete_by_organiser_and_refused_for_member(client, group, organiser, member, idea):
    url = reverse("cfp:idea_delete", kwargs={"slug": group.slug, "pk": idea.pk})
    login(client, member)
    assert client.post(url).status_code == 404
    assert group.talk_ideas.count() == 1
    client.logout()
    login(client, organiser)
    detail = client.get(idea.get_absolute_url()).content.decode()
    assert "Delete this idea" in detail
    response = client.post(url)
    assert response["Location"] == reverse("cfp:idea_board", kwargs={"slug": group.slug})
    assert group.talk_ideas.count() == 0


def test_idea_delete_by_author_refused_once_proposed(client, group, member, open_call):
    idea = services.idea_create(user=member, group=group, title="Mine")
    services.proposal_submit(
        user=factories.make_user(), group=group, title="T", abstract="A", length_minutes=5,
        idea=idea,
    )  # fmt: skip
    login(client, member)
    url = reverse("cfp:idea_delete", kwargs={"slug": group.slug, "pk": idea.pk})
    response = client.post(url, follow=True)
    assert "Someone has proposed a talk for this idea, so it stays." in response.content.decode()
    assert group.talk_ideas.count() == 1


def test_idea_delete_by_other_groups_organiser_is_404(client, group, other_organiser, idea):
    login(client, other_organiser)
    url = reverse("cfp:idea_delete", kwargs={"slug": group.slug, "pk": idea.pk})
    assert client.post(url).status_code == 404
    assert "Delete this idea" not in client.get(idea.get_absolute_url()).content.decode()
    assert group.talk_ideas.count() == 1


def test_lineup_move_with_bad_talk_id_is_404(client, group, organiser, event):
    login(client, organiser)
    lineup = reverse("cfp:lineup", kwargs={"slug": group.slug, "event_slug": event.slug})
    assert client.post(lineup, {"talk": "abc", "direction": "up"}).status_code == 404
    assert client.post(lineup, {"direction": "up"}).status_code == 422  # no talk chosen
    other_talk = factories.make_talk(event=factories.make_event(group=group))
    assert client.post(lineup, {"talk": other_talk.pk, "direction": "up"}).status_code == 404


def test_proposal_posting_rate_limited_with_429(client, group, member, settings, stopped_clock):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "cfp.post": "2/h"}
    login(client, member)
    url = reverse("cfp:proposal_create", kwargs={"slug": group.slug})
    statuses = [client.post(url, _proposal_data(), **HTMX).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert Proposal.objects.count() == 2


def test_lineup_lists_accepted_proposals_and_adds_one(client, group, organiser, proposal, event):
    services.proposal_accept(user=organiser, proposal=proposal)
    login(client, organiser)
    lineup = reverse("cfp:lineup", kwargs={"slug": group.slug, "event_slug": event.slug})
    assert [p.title for p in client.get(lineup).context["unscheduled"]] == [proposal.title]
    schedule = reverse("cfp:review_schedule", kwargs={"slug": group.slug, "pk": proposal.pk})
    assert client.post(schedule, {"event": event.pk})["Location"] == lineup
    response = client.get(lineup)
    assert response.context["unscheduled"] == []
    assert [t.title for t in response.context["talks"]] == [proposal.title]


def test_voting_page_restricted_call_explains_instead_of_buttons(
    client, group, voting_proposal, member, open_call, event
):
    from rsvp.services import rsvp_create

    open_call.voting_requires_rsvp = True
    open_call.save()
    login(client, member)
    url = reverse("cfp:voting", kwargs={"slug": group.slug})
    html = client.get(url).content.decode()
    assert f'id="vote-button-{voting_proposal.pk}"' not in html
    assert "Voting here is for members who have RSVP'd to one of our events." in html

    rsvp_create(event=event, user=member)
    html = client.get(url).content.decode()
    assert f'id="vote-button-{voting_proposal.pk}"' in html
    assert "Voting here is for members" not in html


# --- one rate budget per action, whatever the route or method ----------------------------------


def test_cfp_vote_budget_shared_by_page_and_api_add_and_remove(
    client, voting_proposal, member, settings, stopped_clock
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "cfp.vote": "2/h"}
    login(client, member)
    url = f"/api/proposals/{voting_proposal.pk}/vote"
    page = client.post(reverse("cfp:proposal_vote", kwargs={"pk": voting_proposal.pk}))
    removed = client.delete(url)  # the session; the test client does not check CSRF
    added = client.post(url)
    assert (page.status_code, removed.status_code, added.status_code) == (302, 200, 429)
    assert ProposalVote.objects.count() == 0


def test_cfp_post_budget_shared_by_ideas_proposals_and_invitations(
    client, group, proposal, speaker_user, settings, stopped_clock
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "cfp.post": "2/h"}
    login(client, speaker_user)
    idea = client.post(reverse("cfp:idea_board", kwargs={"slug": group.slug}), {"title": "Mine"})
    created = client.post(
        reverse("cfp:proposal_create", kwargs={"slug": group.slug}), _proposal_data()
    )
    invited = client.post(
        reverse("cfp:co_speaker_invite", kwargs={"pk": proposal.pk}), {"email": "co@example.com"}
    )
    assert (idea.status_code, created.status_code, invited.status_code) == (302, 302, 429)
    assert proposal.co_speakers.count() == 0


@pytest.mark.parametrize(
    ("status", "buttons", "schedule_form"),
    [
        (Proposal.Status.SUBMITTED, ["accept", "decline", "vote"], False),
        (Proposal.Status.IN_VOTING, ["accept", "decline", "reopen"], False),
        (Proposal.Status.ACCEPTED, ["decline"], True),
        (Proposal.Status.DECLINED, ["reopen"], False),
        (Proposal.Status.SCHEDULED, ["unschedule"], True),
        (Proposal.Status.WITHDRAWN, [], False),
    ],
)
def test_review_detail_offers_the_decisions_of_the_status(
    client, group, organiser, proposal, status, buttons, schedule_form
):
    Proposal.objects.filter(pk=proposal.pk).update(status=status)
    login(client, organiser)
    html = client.get(
        reverse("cfp:review_detail", kwargs={"slug": group.slug, "pk": proposal.pk})
    ).content.decode()
    assert re.findall(r'name="action" value="(\w+)"', html) == buttons
    assert ('id="schedule-form"' in html) is schedule_form
    assert ("Message to the speaker" in html) is bool({"accept", "decline"} & set(buttons))


# --- the holes a deliberate break once slipped through (issue 16) -------------------------------


def test_voting_htmx_reply_keeps_a_hidden_tally_hidden(client, voting_proposal, member, open_call):
    """Guards against: the vote's htmx reply rendering the tally while the call hides tallies
    until voting closes (e.g. `show_tallies: True` in its context)."""
    open_call.tallies = CallForTalks.Tallies.ON_CLOSE
    open_call.save()
    for _ in range(3):
        ProposalVote.objects.create(proposal=voting_proposal, user=factories.make_user())
    login(client, member)

    response = client.post(reverse("cfp:proposal_vote", kwargs={"pk": voting_proposal.pk}), **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert ProposalVote.objects.filter(proposal=voting_proposal).count() == 4
    assert "Your vote is in." in html
    assert 'id="tally-' not in html
    assert re.findall(r">\s*(\d+)\s*<", html) == []  # no count anywhere, 4 or otherwise


def test_voting_htmx_reply_shows_the_hidden_tally_to_an_organiser(
    client, voting_proposal, organiser, open_call
):
    """Guards against: the reply hiding the count from everyone (organisers always see it)."""
    open_call.tallies = CallForTalks.Tallies.ON_CLOSE
    open_call.save()
    ProposalVote.objects.create(proposal=voting_proposal, user=factories.make_user())
    login(client, organiser)

    response = client.post(reverse("cfp:proposal_vote", kwargs={"pk": voting_proposal.pk}), **HTMX)

    assert response.status_code == 200
    assert re.findall(r'id="tally-(\d+)".*?font-bold">(\d+)<', response.content.decode()) == [
        (str(voting_proposal.pk), "2")
    ]


def _accepted_co_speaker(proposal, speaker_user, user):
    invitation = services.co_speaker_invite(user=speaker_user, proposal=proposal, email=user.email)
    return services.co_speaker_accept(user=user, token=invitation.token)


def test_co_speaker_removed_by_the_submitter_through_the_page(
    client, proposal, speaker_user, member
):
    """Guards against: the remove view (or `co_speaker_remove`) not deleting the co-speaker."""
    co = _accepted_co_speaker(proposal, speaker_user, member)
    pending = services.co_speaker_invite(user=speaker_user, proposal=proposal, email="x@y.co")
    login(client, speaker_user)
    url = reverse("cfp:co_speaker_remove", kwargs={"pk": proposal.pk, "invitation_pk": co.pk})
    assert f'action="{url}"' in client.get(proposal.get_absolute_url()).content.decode()

    response = client.post(url)

    assert (response.status_code, response["Location"]) == (302, proposal.get_absolute_url())
    assert list(proposal.co_speakers.values_list("pk", flat=True)) == [pending.pk]
    page = client.get(response["Location"]).content.decode()
    assert f"{member.email} is no longer on this proposal." in page
    client.logout()
    login(client, member)
    assert client.get(proposal.get_absolute_url()).status_code == 404


def test_co_speaker_remove_htmx_takes_back_an_invitation_with_a_client_redirect(
    client, proposal, speaker_user
):
    pending = services.co_speaker_invite(user=speaker_user, proposal=proposal, email="x@y.co")
    login(client, speaker_user)
    url = reverse("cfp:co_speaker_remove", kwargs={"pk": proposal.pk, "invitation_pk": pending.pk})

    response = client.post(url, **HTMX)

    assert (response.status_code, response["HX-Redirect"]) == (200, proposal.get_absolute_url())
    assert proposal.co_speakers.count() == 0


def test_co_speaker_cannot_remove_anyone_and_gets_404(client, proposal, speaker_user, member):
    co = _accepted_co_speaker(proposal, speaker_user, member)
    login(client, member)
    url = reverse("cfp:co_speaker_remove", kwargs={"pk": proposal.pk, "invitation_pk": co.pk})

    assert client.post(url).status_code == 404
    assert list(proposal.co_speakers.values_list("pk", flat=True)) == [co.pk]


def test_review_reopen_through_the_page_takes_a_proposal_out_of_voting(
    client, group, organiser, voting_proposal
):
    """Guards against: "reopen" on the review page not moving the proposal back to submitted
    (a wrong target status in `proposal_reopen`, or the view dropping the action)."""
    login(client, organiser)
    url = reverse("cfp:review_decide", kwargs={"slug": group.slug, "pk": voting_proposal.pk})

    response = client.post(url, {"action": "reopen", "message": "ignored"})

    detail = reverse("cfp:review_detail", kwargs={"slug": group.slug, "pk": voting_proposal.pk})
    assert (response.status_code, response["Location"]) == (302, detail)
    voting_proposal.refresh_from_db()
    assert (voting_proposal.status, voting_proposal.decision_message) == ("submitted", "")
    assert client.get(detail).context["decisions"] == ["accept", "decline", "vote"]
    voting_page = client.get(reverse("cfp:voting", kwargs={"slug": group.slug}))
    assert voting_page.context["proposals"] == []


def test_review_reopen_through_the_page_clears_a_decline(
    client, group, organiser, proposal, speaker_user
):
    services.proposal_decline(user=organiser, proposal=proposal, message="Not this season")
    login(client, organiser)
    url = reverse("cfp:review_decide", kwargs={"slug": group.slug, "pk": proposal.pk})

    response = client.post(url, {"action": "reopen"}, **HTMX)

    detail = reverse("cfp:review_detail", kwargs={"slug": group.slug, "pk": proposal.pk})
    assert (response.status_code, response["HX-Redirect"]) == (200, detail)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_message) == ("submitted", "")
    client.logout()
    login(client, speaker_user)
    assert "Not this season" not in client.get(proposal.get_absolute_url()).content.decode()
