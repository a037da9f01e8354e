"""Hypothesis over the htmx form endpoints a member or an organiser can post to: text with
control characters and line separators, huge and Unicode numbers, oversized values. Every
answer is below 500, and a refusal (any 4xx) writes nothing: the rows of every model a form
can create, and the outbox, are the same before and after. After-commit work (emails,
broadcasts) runs, so a success that could not be delivered would surface here too.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cfp.models import CallForTalks, Proposal, TalkIdea
from live.models import Question
from meetups.models import Event, Venue
from organise.models import AttendeeMessage
from rsvp.models import Rsvp, RsvpSettings
from rsvp.services import rsvp_create
from tests import factories

pytestmark = [pytest.mark.hypothesis, pytest.mark.django_db]

FUZZ = settings(
    max_examples=25,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Characters that break another format when they reach it: line breaks of every kind (CR, LF,
# NEL, LINE/PARAGRAPH SEPARATOR), NUL and other C0/C1 controls, bidi overrides, a BOM.
NASTY = "\r\n\x00\x07\x0b\x0c\x1b\x7f\x85\u2028\u2029\u202e\ufeff\ud7ff\U0001f600"
nasty_text = st.text(alphabet=st.sampled_from(NASTY) | st.characters(), max_size=60)
oversized_text = st.builds(
    lambda c, n: c * n, st.sampled_from("a\n\u2028é"), st.integers(0, 300_000)
)
plain_text = st.text(alphabet="abc xyz.,?-ÄéΩ", min_size=1, max_size=40)
# Half plausible (so requests get past the form to the service and the after-commit work).
text = (
    plain_text
    | nasty_text
    | oversized_text
    | st.sampled_from(["", " ", "Title\r\nBcc: x@example.com", "Title\u2028Two"])
)
# Unicode digits (superscript, Arabic-Indic, fullwidth) pass str.isdigit(); int() takes some.
ODD_NUMBERS = ["²", "\u0661\u0662", "\u0663", "\uff11", "1e9", "0x10", " 1 ", "-0", "1.5"]
ODD_NUMBERS += ["NaN", "∞", "9" * 400]
numbers = (
    st.integers(0, 3).map(str)
    | st.integers(-(10**30), 10**30).map(str)
    | st.sampled_from(ODD_NUMBERS)
    | nasty_text
)

COUNTED = (Rsvp, Question, Proposal, TalkIdea, Event, Venue, AttendeeMessage)


def _counts() -> dict:
    return {model.__name__: model.objects.count() for model in COUNTED} | {
        "outbox": len(mail.outbox)
    }


@pytest.fixture
def world(group, organiser, member, event):
    """A running event (live Q&A) and an upcoming one (RSVPs), the member going to it."""
    running = factories.make_event(group=group, starts_in=-timedelta(hours=1), title="Fuzz night")
    talk = factories.make_talk(event=running, title="Fuzzing", slug="fuzzing")
    RsvpSettings.objects.create(event=event, guests_allowed=2)
    CallForTalks.objects.create(group=group)
    rsvp_create(event=event, user=member, guests=0)
    return {"group": group, "event": event, "running": running, "talk": talk}


def _post(client, url, data, capture):
    cache.clear()  # the rate limits have their own tests; here every example reaches the form
    before = _counts()
    with capture(execute=True):
        response = client.post(url, data, headers={"HX-Request": "true"})
    assert response.status_code < 500, (url, data, response.status_code)
    print(
        "STATUS",
        url,
        response.status_code,
        data if response.status_code == 422 else "",
        response.content.decode()[-3000:] if response.status_code == 422 else "",
    )
    if response.status_code >= 400:
        assert _counts() == before, (url, data, response.status_code)
    return response


@FUZZ
@given(guests=numbers)
def test_rsvp_guests_fuzz(client, member, world, django_capture_on_commit_callbacks, guests):
    client.force_login(member)
    slug = world["event"].slug
    for name in ("rsvp:guests", "rsvp:create"):
        _post(
            client,
            reverse(name, args=[slug]),
            {"guests": guests},
            django_capture_on_commit_callbacks,
        )


@FUZZ
@given(question=text, qa=text | st.just("fuzzing"))
def test_live_question_fuzz(
    client, member, world, django_capture_on_commit_callbacks, question, qa
):
    client.force_login(member)
    url = reverse("live:question_create", args=[world["running"].slug])
    _post(client, url, {"text": question, "qa": qa}, django_capture_on_commit_callbacks)


@FUZZ
@given(
    field=st.sampled_from(["title", "abstract", "length_minutes", "audience_level"]),
    value=text | numbers,
)
def test_proposal_fuzz(client, member, world, django_capture_on_commit_callbacks, field, value):
    """One field fuzzed at a time, the others valid, so a harmless value gets saved."""
    client.force_login(member)
    url = reverse("cfp:proposal_create", args=[world["group"].slug])
    data = {
        "title": "A talk",
        "abstract": "What you learn.",
        "length_minutes": "20",
        "audience_level": "everyone",
    }
    _post(client, url, data | {field: value}, django_capture_on_commit_callbacks)


@FUZZ
@given(title=text, description=text)
def test_idea_fuzz(client, member, world, django_capture_on_commit_callbacks, title, description):
    client.force_login(member)
    url = reverse("cfp:idea_board", args=[world["group"].slug])
    _post(
        client,
        url,
        {"title": title, "description": description},
        django_capture_on_commit_callbacks,
    )


@FUZZ
@given(
    subject=text | st.just("Doors open at six"),
    body=text,
    step=st.sampled_from(["preview", "send"]),
)
def test_attendee_message_fuzz(
    client, organiser, world, django_capture_on_commit_callbacks, subject, body, step
):
    client.force_login(organiser)
    event = world["event"]
    url = reverse("organise:message", kwargs={"group": event.group.slug, "event": event.slug})
    data = {"audience": "going", "subject": subject, "body": body, "step": step}
    _post(client, url, data, django_capture_on_commit_callbacks)


EVENT = {
    "title": "A new night",
    "time_zone": "Australia/Sydney",
    "starts_at": "2031-05-01T18:00",
    "ends_at": "2031-05-01T21:00",
    "new_venue_name": "The hall",
    "new_venue_address": "1 Main St",
    "capacity": "40",
    "guests_allowed": "1",
    "description": "Talks.",
}


@FUZZ
@given(field=st.sampled_from(sorted(EVENT)), value=text | numbers)
def test_event_create_fuzz(
    client, organiser, world, django_capture_on_commit_callbacks, field, value
):
    client.force_login(organiser)
    url = reverse("organise:event_create", args=[world["group"].slug])
    _post(client, url, EVENT | {field: value}, django_capture_on_commit_callbacks)
