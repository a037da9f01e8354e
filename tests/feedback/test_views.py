"""The feedback page: rate without JavaScript and with htmx; who sees what; query counts."""

import pytest
from django.test import Client
from django.urls import reverse

from feedback.models import TalkFeedback
from tests import factories

from .conftest import rsvp

URL = "/talks/the-talk/feedback/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_url_name_and_path_are_the_recap_emails(world):
    assert reverse("feedback:talk_feedback", kwargs={"slug": "the-talk"}) == URL


def test_page_needs_a_login(world):
    response = Client().get(URL)
    assert (response.status_code, response.url) == (
        302,
        "/accounts/login/?next=%2Ftalks%2Fthe-talk%2Ffeedback%2F",
    )


def test_page_unknown_talk_is_404(world):
    assert _client(world.checked_in).get("/talks/nope/feedback/").status_code == 404


def test_post_without_javascript_saves_and_redirects(world):
    client = _client(world.checked_in)
    response = client.post(URL, {"rating": "4", "comment": "Clear <b>and</b> short."})
    assert (response.status_code, response.url) == (302, URL)
    row = TalkFeedback.objects.get()
    assert (row.user, row.rating, row.comment) == (world.checked_in, 4, "Clear <b>and</b> short.")
    page = client.get(URL).content.decode()
    assert "Thank you: your feedback is saved." in page
    assert 'value="4" id="id_rating_3" required checked' in page
    assert "Update feedback" in page


def test_post_with_htmx_swaps_the_form(world):
    response = _client(world.checked_in).post(URL, {"rating": "5"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="feedback-form">')
    assert "Thank you: your feedback is saved." in body
    assert response["HX-Trigger"] == (
        '{"announce": {"message": "Thank you: your feedback is saved."}}'
    )
    assert TalkFeedback.objects.get().rating == 5


@pytest.mark.parametrize("rating", ["", "0", "6", "x"])
def test_post_invalid_rating_is_422_next_to_the_field(world, rating):
    response = _client(world.checked_in).post(URL, {"rating": rating}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 422
    assert '<p class="field-error" id="rating-error">Choose a rating from 1 to 5.</p>' in body
    assert TalkFeedback.objects.count() == 0


def test_post_by_someone_who_was_not_there_is_403(world):
    client = _client(world.stranger)
    page = client.get(URL).content.decode()
    assert "<form" not in page.split('id="feedback-form"')[1].split("</section>")[0]
    assert "Only people who were at the event can rate its talks" in page
    response = client.post(URL, {"rating": "5"})
    assert response.status_code == 403
    assert TalkFeedback.objects.count() == 0


def test_post_by_the_speaker_is_403(world):
    rsvp(world.event, world.speaker, checked_in=True)
    response = _client(world.speaker).post(URL, {"rating": "5"}, **HTMX)
    assert response.status_code == 403
    assert "Speakers cannot rate their own talk." in response.content.decode()
    assert TalkFeedback.objects.count() == 0


def test_post_is_rate_limited(world, settings, stopped_clock):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "feedback.save": "2/m"}
    client = _client(world.checked_in)
    assert [client.post(URL, {"rating": "3"}).status_code for _ in range(2)] == [302, 302]
    response = client.post(URL, {"rating": "1"}, **HTMX)
    assert response.status_code == 429
    assert "You are going a little fast" in response.content.decode()
    assert TalkFeedback.objects.get().rating == 3


def _with_feedback(world):
    TalkFeedback.objects.create(
        talk=world.talk, user=world.checked_in, rating=2, comment="SECRET-COMMENT"
    )


def test_privacy_stranger_and_another_speaker_see_no_comments(world):
    _with_feedback(world)
    another_attendee = factories.make_user()
    rsvp(world.event, another_attendee, checked_in=True)
    for user in (world.stranger, world.other_speaker, world.going, another_attendee):
        page = _client(user).get(URL).content.decode()
        assert "SECRET-COMMENT" not in page, user
        assert "Feedback received" not in page, user


def test_privacy_speaker_sees_comments_without_names(world):
    _with_feedback(world)
    page = _client(world.speaker).get(URL).content.decode()
    assert "SECRET-COMMENT" in page
    assert "Carla" not in page
    assert "Ratings and comments are shown without names." in page


def test_privacy_organiser_sees_comments_with_names(world):
    _with_feedback(world)
    page = _client(world.organiser).get(URL).content.decode()
    assert "SECRET-COMMENT" in page
    assert "Carla · " in page


def test_comment_is_escaped_on_display(world):
    TalkFeedback.objects.create(
        talk=world.talk, user=world.checked_in, rating=2, comment='<script>alert("x")</script>'
    )
    page = _client(world.speaker).get(URL).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


@pytest.mark.parametrize("n", [1, 4])
def test_page_queries_do_not_grow_for_the_organiser(world, django_assert_num_queries, n):
    for _ in range(n):
        person = factories.make_user()
        rsvp(world.event, person, checked_in=True)
        TalkFeedback.objects.create(talk=world.talk, user=person, rating=4, comment="ok")
    client = _client(world.organiser)
    # session, user, talk (+event, group), speakers, mine; my RSVP and organiser (can give,
    # then why not), organiser (can see raters), summary, entries (+raters), the nav's group.
    with django_assert_num_queries(12):
        assert client.get(URL).status_code == 200


def test_talk_page_offers_rating_to_who_may(world):
    page = _client(world.checked_in).get("/talks/the-talk/").content.decode()
    assert f'<a class="btn-primary" href="{URL}">Rate this talk</a>' in page
    page = _client(world.stranger).get("/talks/the-talk/").content.decode()
    assert "Rate this talk" not in page
    page = _client(world.speaker).get("/talks/the-talk/").content.decode()
    assert "Rate this talk" not in page
    assert f'href="{URL}#received-heading">Feedback on this talk</a>' in page


def test_talk_page_asks_visitors_to_log_in_while_open(world):
    page = Client().get("/talks/the-talk/").content.decode()
    assert "Were you there? Log in to rate this talk" in page
    assert "/accounts/login/?next=/talks/the-talk/feedback/" in page


def test_speaker_profile_shows_own_talks_feedback_without_names(world):
    _with_feedback(world)
    TalkFeedback.objects.create(
        talk=world.other_talk, user=world.checked_in, rating=5, comment="OTHER-SPEAKERS-COMMENT"
    )
    page = _client(world.speaker).get("/speaker-profile/").content.decode()
    assert "Feedback on your talks" in page
    assert "SECRET-COMMENT" in page
    assert "OTHER-SPEAKERS-COMMENT" not in page
    assert "Carla" not in page
    assert '<strong class="tabular-nums">2.0</strong> out of 5, from 1 rating' in page


@pytest.mark.parametrize("n", [1, 3])
def test_speaker_profile_queries_do_not_grow(world, django_assert_num_queries, n):
    for i in range(n):
        talk = factories.make_talk(event=world.event, speakers=list(world.talk.speakers.all()))
        TalkFeedback.objects.create(talk=talk, user=world.checked_in, rating=3, comment=str(i))
    client = _client(world.speaker)
    # session, user, speaker profile (cfp), its links, the nav's group, talks (+numbers),
    # their feedback.
    with django_assert_num_queries(7):
        assert client.get("/speaker-profile/").status_code == 200
