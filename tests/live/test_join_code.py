"""The join code: `/j/<code>` to the live page, the `/j/` form, and the QR code on the event
page and the presenter view only while the room is live."""

from datetime import timedelta

import pytest
from django.urls import reverse

from live.join import ALPHABET, event_id_for, join_code
from live.models import LiveState
from meetups.models import Event
from tests.factories import make_event, make_speaker, make_talk, make_user

pytestmark = pytest.mark.django_db
QR_MARK = 'role="img" aria-label="QR code: opens the live page of '


def test_every_event_id_has_one_code_that_reads_back():
    codes = {join_code(event_id) for event_id in range(1, 3000)}
    assert len(codes) == 2999
    for event_id in (1, 42, 2**20 - 1, 2**20, 2**30, 2**40 - 1):
        code = join_code(event_id)
        assert len(code) == (4 if event_id < 2**20 else 6 if event_id < 2**30 else 8)
        assert set(code) <= set(ALPHABET)
        assert event_id_for(code) == event_id
        assert event_id_for(code.lower()) == event_id


def test_codes_read_back_whatever_the_case_spaces_or_lookalikes():
    assert join_code(7) == "AEJP"
    assert event_id_for(" ae-jp ") == 7
    # Crockford: O reads as 0, I and L as 1.
    assert join_code(56) == "1130"
    assert event_id_for("IL3O") == event_id_for("il3o") == 56


@pytest.mark.parametrize("text", ["", "ABC", "ABCDE", "ABCU", "AB*D", "A" * 40, "٤٤٤٤"])
def test_anything_that_is_not_a_code_reads_as_none(text):
    assert event_id_for(text) is None


def test_a_six_character_code_of_a_small_id_is_not_a_second_code():
    # Each id has exactly one code: the shortest that holds it.
    assert all(
        event_id_for(c) is None or event_id_for(c) >= 2**20 for c in ("000000", "00001G", "ZZZZZZ")
    )


def test_join_code_redirects_to_the_live_page(client, event):
    response = client.get(f"/j/{join_code(event.pk).lower()}")
    assert (response.status_code, response["Location"]) == (302, f"/events/{event.slug}/live/")


def test_an_unknown_code_is_not_found(client, event):
    assert client.get("/j/" + join_code(event.pk + 1000)).status_code == 404
    assert client.get("/j/NOPE!").status_code == 404
    assert client.get("/j/" + "A" * 200).status_code == 404


def test_a_drafts_code_leads_only_its_organisers_to_it(client, group, organiser):
    draft = make_event(group=group, status=Event.Status.DRAFT)
    url = f"/j/{join_code(draft.pk)}"
    assert client.get(url).status_code == 404
    client.force_login(organiser)
    assert client.get(url)["Location"] == f"/events/{draft.slug}/live/"


def test_the_join_form_sends_a_typed_code_on(client, event):
    page = client.get("/j/")
    assert page.status_code == 200
    assert 'name="code"' in page.content.decode()
    response = client.get("/j/", {"code": f" {join_code(event.pk).lower()} "})
    assert (response.status_code, response["Location"]) == (302, f"/events/{event.slug}/live/")


def test_the_join_form_says_when_no_event_has_the_code(client, event):
    response = client.get("/j/", {"code": join_code(event.pk + 1000)})
    assert response.status_code == 404
    assert response.context["form"].errors == {
        "code": ["No event has this code: check it against the screen."]
    }
    blank = client.get("/j/", {"code": ""})
    assert blank.status_code == 422


def test_the_event_page_shows_the_join_code_only_in_live_mode(client, event):
    url = event.get_absolute_url()
    code = join_code(event.pk)
    before = client.get(url).content.decode()
    assert QR_MARK not in before
    assert code not in before
    assert reverse("live:live_page", kwargs={"slug": event.slug}) not in before

    LiveState.objects.create(event=event)  # "Start live mode", days before the event

    page = client.get(url).content.decode()
    assert page.count(QR_MARK) == 1
    assert f"data-join-code>{code}</strong>" in page
    assert f'href="/j/{code}"' in page
    # One link to the live page, not two.
    assert page.count(f'href="/events/{event.slug}/live/"') == 1


def test_the_event_page_shows_the_join_code_while_the_event_runs(client, group):
    running = make_event(group=group, starts_in=-timedelta(minutes=30))
    assert client.get(running.get_absolute_url()).content.decode().count(QR_MARK) == 1


def test_the_qr_code_encodes_the_absolute_join_url(client, event):
    LiveState.objects.create(event=event)
    page = client.get(event.get_absolute_url()).content.decode()
    assert f"testserver/j/{join_code(event.pk)}</a>" in page


@pytest.fixture
def presenter_client(client, event):
    speaker = make_user(username="speaker")
    make_talk(event=event, speakers=[make_speaker(user=speaker)])
    client.force_login(speaker)
    return client


def test_the_presenter_view_shows_the_join_code_large_only_in_live_mode(presenter_client, event):
    url = reverse("live:presenter", kwargs={"slug": event.slug})
    code = join_code(event.pk)
    before = presenter_client.get(url).content.decode()
    assert (QR_MARK in before, code in before) == (False, False)
    assert "Ask at" in before

    state = LiveState.objects.create(event=event)
    page = presenter_client.get(url).content.decode()
    assert page.count(QR_MARK) == 1
    assert f"testserver/j/{code}</span>" in page
    assert "sm:text-7xl" in page.split("data-join-code")[0].rsplit("<strong", 1)[1]

    state.accepting_questions = False  # "Stop live mode"
    state.save()
    assert QR_MARK not in presenter_client.get(url).content.decode()
