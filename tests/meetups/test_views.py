from datetime import timedelta

import pytest
from django.test import Client

from meetups.models import Event, Sponsor
from tests.factories import PASSWORD, make_event, make_speaker, make_talk, make_venue


@pytest.fixture
def archive(group):
    """A past event with a talk and speaker, so every public page has something to show."""
    event = make_event(
        group=group,
        title="SyDjango #1 2024 (Re-connect)",
        starts_in=-timedelta(days=60),
        recording_url="https://www.youtube.com/watch?v=jeJmQazH3jA",
        recorded_attendance=35,
        venue=make_venue(name="Cover Genius office"),
        host_sponsor=Sponsor.objects.create(name="Cover Genius"),
    )
    speaker = make_speaker(name="Hashim Muqtadir", bio="Likes **threads**.")
    talk = make_talk(
        event=event,
        title="Concurrency in Python and Django",
        speakers=[speaker],
        slides_url="https://example.com/slides",
    )
    return event, talk, speaker


def _signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture(params=["anonymous", "member"])
def visitor(request, member) -> Client:
    return Client() if request.param == "anonymous" else _signed_in(member)


@pytest.mark.django_db
def test_public_pages_render_for_anonymous_and_members(visitor, archive, event):
    past, talk, speaker = archive
    pages = {
        "/": event.title,
        f"/events/{past.slug}/": talk.title,
        f"/events/{event.slug}/": event.title,
        "/events/past/": past.title,
        f"/talks/{talk.slug}/": speaker.name,
        f"/speakers/{speaker.slug}/": talk.title,
        f"/groups/{past.group.slug}/": event.title,
        "/accounts/password/reset/": "Password Reset",
        "/api/docs": "swagger",
    }
    for url, expected_text in pages.items():
        response = visitor.get(url)
        assert response.status_code == 200, url
        assert expected_text in response.content.decode(), url


@pytest.mark.django_db
def test_account_pages_render_for_anonymous_visitors(client):
    for url, expected_text in {
        "/accounts/login/": "Sign In",
        "/accounts/signup/": "Sign Up",
    }.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert expected_text in response.content.decode(), url


@pytest.mark.django_db
def test_profile_requires_login_and_shows_the_member(client, member):
    assert client.get("/accounts/profile/").status_code == 302

    response = _signed_in(member).get("/accounts/profile/")

    assert response.status_code == 200
    assert response.context["profile_user"] == member


@pytest.mark.django_db
def test_event_page_shows_agenda_venue_host_and_privacy_friendly_recording(client, archive):
    past, talk, speaker = archive

    response = client.get(f"/events/{past.slug}/")

    html = response.content.decode()
    assert response.context["talks"] == [talk]
    assert f'<a href="/speakers/{speaker.slug}/">Hashim Muqtadir</a>' in html
    assert "<p>Cover Genius office</p>" in html
    assert '<h2 class="font-semibold">Hosted by</h2>' in html
    assert response.context["recording_embed_url"] == (
        "https://www.youtube-nocookie.com/embed/jeJmQazH3jA"
    )
    assert 'src="https://www.youtube-nocookie.com/embed/jeJmQazH3jA"' in html
    assert "youtube.com/embed" not in html
    assert "35 people came" in html


@pytest.mark.django_db
def test_event_page_links_non_youtube_recordings_plainly(client, group):
    event = make_event(group=group, recording_url="https://vimeo.com/123")

    response = client.get(f"/events/{event.slug}/")

    assert response.context["recording_embed_url"] is None
    assert "<iframe" not in response.content.decode()


@pytest.mark.django_db
def test_draft_event_page_is_404_for_public_and_visible_to_organiser(client, group, organiser):
    draft = make_event(group=group, status=Event.Status.DRAFT, title="Secret line-up")

    assert client.get(f"/events/{draft.slug}/").status_code == 404
    response = _signed_in(organiser).get(f"/events/{draft.slug}/")
    assert response.status_code == 200
    assert "Draft: only organisers can see this" in response.content.decode()


@pytest.mark.django_db
def test_unknown_pages_get_the_friendly_404(client):
    response = client.get("/events/no-such-event/")

    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()


@pytest.mark.django_db
def test_archive_htmx_search_returns_only_the_results_partial(client, archive):
    past, _talk, _speaker = archive

    response = client.get(
        "/events/past/?q=concurrency",
        headers={"HX-Request": "true", "HX-Target": "archive-results"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="archive-results"')
    assert "<html" not in html
    assert past.title in html


@pytest.mark.django_db
def test_archive_search_without_js_renders_the_full_page(client, archive):
    response = client.get("/events/past/?q=nothing-matches-this")

    html = response.content.decode()
    assert "<html" in html
    assert "No past events match “nothing-matches-this”." in html


@pytest.mark.django_db
def test_archive_rejects_an_overlong_query_with_a_message(client, archive):
    response = client.get("/events/past/?q=" + "x" * 101)

    assert response.status_code == 200
    assert response.context["query"] == ""
    assert response.context["form"].errors == {
        "q": ["Ensure this value has at most 100 characters (it has 101)."]
    }


@pytest.mark.django_db
def test_archive_pagination_tolerates_bad_page_numbers(client, group):
    for days in range(1, 13):
        make_event(group=group, starts_in=-timedelta(days=days))

    assert len(client.get("/events/past/?page=2").context["page"].object_list) == 2
    assert client.get("/events/past/?page=abc").context["page"].number == 1
    assert client.get("/events/past/?page=999").context["page"].number == 2


@pytest.mark.django_db
def test_pages_send_a_content_security_policy(client):
    response = client.get("/")

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-src https://www.youtube-nocookie.com" in policy


@pytest.mark.django_db
def test_talk_page_falls_back_to_the_event_recording(client, archive):
    _past, talk, _speaker = archive

    response = client.get(f"/talks/{talk.slug}/")

    html = response.content.decode()
    assert response.context["recording_url"] == "https://www.youtube.com/watch?v=jeJmQazH3jA"
    assert "Recording of the evening" in html
    assert 'src="https://www.youtube-nocookie.com/embed/jeJmQazH3jA"' in html
    assert '<a href="https://example.com/slides" rel="noopener noreferrer">Slides' in html


@pytest.mark.django_db
def test_talk_page_prefers_the_talks_own_video(client, archive):
    _past, talk, _speaker = archive
    talk.video_url = "https://youtu.be/aaaaaaaaaaa"
    talk.save()

    response = client.get(f"/talks/{talk.slug}/")

    assert (
        response.context["video_embed_url"] == "https://www.youtube-nocookie.com/embed/aaaaaaaaaaa"
    )


@pytest.mark.django_db
def test_speaker_page_shows_the_photo_only_when_there_is_one(client, archive, settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    _past, _talk, speaker = archive
    assert (
        "Photo of Hashim Muqtadir" not in client.get(f"/speakers/{speaker.slug}/").content.decode()
    )

    speaker.photo.save("x.png", ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 20))
    speaker.photo_content_type = "image/png"
    speaker.save()
    html = client.get(f"/speakers/{speaker.slug}/").content.decode()

    assert f'src="/speakers/{speaker.slug}/photo/" alt="Photo of Hashim Muqtadir"' in html
