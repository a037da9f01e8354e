"""Every kind of write that changes what a public page shows renews it: the next anonymous
request after the write sees the change, never the cached page (portal/pagecache.py). Each
test first proves the page is served from the cache, then writes through the service. Each
runs twice: through Django's test client (the page cache middleware serves the hits) and
through the ASGI handler daphne serves (its front answers the hits on the event loop,
portal/pagecache_front.py)."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from cfp import services as cfp_services
from cfp.models import CallForTalks
from live import polls
from live import services as live_services
from live.models import Question
from meetups import services as meetups_services
from meetups.models import Event, TalkResource
from organise import services as organise_services
from portal.pagecache import HIT_HEADER
from portal.personal_data import account_erase
from rsvp import services as rsvp_services
from rsvp.models import Rsvp
from tests import factories
from tests.portal.asgi_client import AsgiClient

# Real commits: pages are renewed after the write commits (transaction.on_commit).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["test client", "asgi"])
def client(request):
    if request.param == "test client":
        yield Client()
        return
    asgi = AsgiClient()
    yield asgi
    asgi.close()


def hit(response) -> bool:
    return response.get(HIT_HEADER) == "hit"


def cached(client: Client, url: str):
    """The page once it is served from the cache (at most three requests)."""
    for _ in range(3):
        response = client.get(url)
        if hit(response):
            return response
    raise AssertionError(f"{url} was never served from the cache")


def fresh(client: Client, url: str):
    response = client.get(url)
    assert hit(response) is False
    return response


def text_of(pattern: str, response) -> str:
    """The text (tags dropped, spaces collapsed) of the first group of `pattern` in the page."""
    match = re.search(pattern, response.text, re.S)
    assert match, pattern
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def seats(response) -> str:
    return text_of(r'id="rsvp-seats-\d+">(.*?)</p>', response)


def home_spaces(response) -> str:
    return text_of(r'id="next-event-spaces">(.*?)</dd>', response)


def agenda(response) -> list[str]:
    section = text_of(r'(<section aria-labelledby="agenda-heading".*?</section>)', response)
    return re.findall(r"(Talk [A-Z])", section)


# -- RSVPs: seats left --------------------------------------------------------------------------


def test_rsvp_renews_the_event_page_and_home(page_cache, client, event, member):
    assert seats(cached(client, event.get_absolute_url())) == "50 of 50 seats left"
    assert home_spaces(cached(client, "/")) == "50 of 50 seats left"

    rsvp_services.rsvp_create(event=event, user=member, guests=0, listed=True)

    assert seats(fresh(client, event.get_absolute_url())) == "49 of 50 seats left"
    assert home_spaces(fresh(client, "/")) == "49 of 50 seats left"


def test_cancel_with_waitlist_promotion_renews_the_event_page(page_cache, client, group):
    event = factories.make_event(group=group, capacity=1)
    first, second = factories.make_user(), factories.make_user()
    going = rsvp_services.rsvp_create(event=event, user=first, guests=0, listed=True).rsvp
    rsvp_services.rsvp_create(event=event, user=second, guests=0, listed=True)
    assert seats(cached(client, event.get_absolute_url())) == "Full · 1 seats taken · 1 waiting"

    rsvp_services.rsvp_cancel(rsvp_id=going.pk, user=first)

    assert Rsvp.objects.get(event=event, user=second).status == Rsvp.Status.GOING
    assert seats(fresh(client, event.get_absolute_url())) == "Full · 1 seats taken"


def test_rsvp_window_closed_renews_the_event_page(page_cache, client, event, organiser):
    assert "RSVPs for this event are closed." not in cached(client, event.get_absolute_url()).text

    organise_services.rsvp_window_close(event=event, user=organiser)

    assert "RSVPs for this event are closed." in fresh(client, event.get_absolute_url()).text


# -- the organiser's event edits ---------------------------------------------------------------


def test_event_edit_renews_its_page_its_talks_and_home(page_cache, client, event, organiser):
    talk = factories.make_talk(event=event, title="Talk A")
    urls = [event.get_absolute_url(), talk.get_absolute_url(), "/"]
    before = event.title
    for url in urls:
        assert before in cached(client, url).text

    organise_services.event_update(
        event=event, user=organiser, fields=factories.event_fields(event, title="Renamed night")
    )

    for url in urls:
        body = fresh(client, url).text
        assert ("Renamed night" in body, f">{before}<" in body) == (True, False)


def test_publish_renews_home(page_cache, client, group, organiser):
    draft = factories.make_event(group=group, title="Fresh draft", status=Event.Status.DRAFT)
    assert "Fresh draft" not in cached(client, "/").text

    organise_services.event_publish(event=draft, user=organiser)

    assert "Fresh draft" in fresh(client, "/").text


def test_unpublish_takes_the_cached_page_away(page_cache, client, event, organiser):
    cached(client, event.get_absolute_url())

    organise_services.event_unpublish(event=event, user=organiser)

    assert client.get(event.get_absolute_url()).status_code == 404


def test_cancel_renews_the_event_page(page_cache, client, event, organiser):
    assert "This event has been cancelled." not in cached(client, event.get_absolute_url()).text

    organise_services.event_cancel(event=event, user=organiser)

    assert "This event has been cancelled." in fresh(client, event.get_absolute_url()).text


# -- the line-up -------------------------------------------------------------------------------


def test_talk_scheduled_and_unscheduled_renew_the_agenda(
    page_cache, client, event, group, organiser
):
    CallForTalks.objects.create(group=group)
    speaker = factories.make_user(username="speaker", first_name="Sam")
    proposal = cfp_services.proposal_submit(
        user=speaker, group=group, title="Talk B", abstract="Fragments.", length_minutes=20
    )
    cfp_services.proposal_accept(user=organiser, proposal=proposal)
    assert agenda(cached(client, event.get_absolute_url())) == []

    talk = cfp_services.proposal_schedule(user=organiser, proposal=proposal, event=event)

    assert agenda(fresh(client, event.get_absolute_url())) == ["Talk B"]
    cached(client, event.get_absolute_url())
    cached(client, talk.get_absolute_url())

    cfp_services.proposal_unschedule(user=organiser, proposal=proposal)

    assert agenda(fresh(client, event.get_absolute_url())) == []
    assert client.get(talk.get_absolute_url()).status_code == 404


def test_agenda_move_renews_the_order(page_cache, client, event, organiser):
    factories.make_talk(event=event, title="Talk A", order=1)
    second = factories.make_talk(event=event, title="Talk B", order=2)
    assert agenda(cached(client, event.get_absolute_url())) == ["Talk A", "Talk B"]

    cfp_services.agenda_move(user=organiser, talk=second, direction="up")

    assert agenda(fresh(client, event.get_absolute_url())) == ["Talk B", "Talk A"]


def test_speaker_profile_renews_the_talk_page(page_cache, client, event, member):
    speaker = cfp_services.speaker_profile_save(user=member, name="Ada Before", bio="")
    talk = factories.make_talk(event=event, speakers=[speaker])
    assert "Ada Before" in cached(client, talk.get_absolute_url()).text

    cfp_services.speaker_profile_save(user=member, name="Ada After", bio="")

    body = fresh(client, talk.get_absolute_url()).text
    assert ("Ada After" in body, "Ada Before" in body) == (True, False)


# -- talk resources ----------------------------------------------------------------------------


def test_resource_added_and_removed_renew_the_talk_page(page_cache, client, event, organiser):
    talk = factories.make_talk(event=event)
    url = talk.get_absolute_url()
    assert "Deck on the web" not in cached(client, url).text

    meetups_services.talk_link_add(
        user=organiser, talk=talk, kind=TalkResource.Kind.SLIDES,
        url="https://slides.example.com/deck", title="Deck on the web",
    )  # fmt: skip

    assert "Deck on the web" in fresh(client, url).text
    resource = TalkResource.objects.get(talk=talk)
    cached(client, url)

    meetups_services.talk_resource_delete(user=organiser, talk=talk, resource_id=resource.pk)

    assert "Deck on the web" not in fresh(client, url).text


# -- live: Q&A archive, live mode, polls -------------------------------------------------------


def test_question_hidden_after_the_event_leaves_the_talk_page(
    page_cache, client, past_event, organiser, member
):
    talk = factories.make_talk(event=past_event)
    question = Question.objects.create(
        event=past_event, talk=talk, author=member, text="Why SQLite in production?"
    )
    assert "Why SQLite in production?" in cached(client, talk.get_absolute_url()).text

    live_services.question_hide(question=question, user=organiser)

    assert "Why SQLite in production?" not in fresh(client, talk.get_absolute_url()).text


def test_live_mode_renews_the_event_page(page_cache, client, group, organiser):
    soon = factories.make_event(group=group, starts_in=timedelta(hours=1))
    assert "Live now" not in cached(client, soon.get_absolute_url()).text

    live_services.live_mode_set(event=soon, user=organiser, on=True)

    assert "Live now" in fresh(client, soon.get_absolute_url()).text


def test_poll_closed_shows_on_the_talk_page(page_cache, client, group, organiser):
    running = factories.make_event(group=group, starts_in=-timedelta(hours=1))
    talk = factories.make_talk(event=running)
    poll = polls.poll_create(
        event=running,
        talk=talk,
        user=organiser,
        question="Tabs or spaces?",
        options=["Tabs", "Spaces"],
    )
    poll = polls.poll_open(poll=poll, user=organiser)
    assert "Tabs or spaces?" not in cached(client, talk.get_absolute_url()).text

    polls.poll_close(poll=poll, user=organiser)

    assert "Tabs or spaces?" in fresh(client, talk.get_absolute_url()).text


# -- outside the services: the admin, an account erased ----------------------------------------


def test_admin_edit_renews_every_page(page_cache, client, event):
    cached(client, event.get_absolute_url())
    staff = factories.make_user(is_staff=True, is_superuser=True)
    Event.objects.filter(pk=event.pk).update(title="Edited in the admin")

    # What the admin does after each save.
    LogEntry.objects.create(
        user=staff, content_type=ContentType.objects.get_for_model(Event), object_id=str(event.pk),
        object_repr="Edited in the admin", action_flag=CHANGE,
    )  # fmt: skip

    assert "Edited in the admin" in fresh(client, event.get_absolute_url()).text


def test_erased_account_leaves_the_qa_archive(page_cache, client, past_event):
    talk = factories.make_talk(event=past_event)
    author = factories.make_user(username="asker", first_name="Quentin Asker")
    Question.objects.create(event=past_event, talk=talk, author=author, text="What about Redis?")
    assert "Quentin Asker" in cached(client, talk.get_absolute_url()).text

    account_erase(user=author)

    assert "Quentin Asker" not in fresh(client, talk.get_absolute_url()).text


def test_write_in_another_event_keeps_this_page_cached(page_cache, client, event, group, member):
    other = factories.make_event(group=group)
    cached(client, event.get_absolute_url())

    rsvp_services.rsvp_create(event=other, user=member, guests=0, listed=True)

    assert hit(client.get(event.get_absolute_url())) is True
