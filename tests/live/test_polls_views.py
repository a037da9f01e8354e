"""Poll pages, the API and the CSV: the permission matrix over the new URLs, the answers a
browser gets with and without htmx, refusals, and query counts of the pages that list polls."""

import csv
import io

import pytest
from django.test import Client

from live import polls
from live.models import Poll, PollBallot
from tests.factories import make_group, make_speaker, make_user
from tests.live.conftest import signed_in

HTMX = {"HTTP_HX_REQUEST": "true"}
PEOPLE = ("anonymous", "member", "speaker", "other_organiser", "organiser")


@pytest.fixture
def cast(organiser, member, talk):
    other = make_user(username="other-organiser")
    make_group().organisers.add(other)
    speaker = make_user(username="the-speaker")
    talk.speakers.add(make_speaker(user=speaker))
    return {
        "anonymous": None,
        "member": member,
        "speaker": speaker,
        "other_organiser": other,
        "organiser": organiser,
    }


def client_for(user) -> Client:
    return signed_in(user) if user is not None else Client()


def _url(event, rest: str = "") -> str:
    return f"/events/{event.slug}/live/polls/{rest}"


def new_poll(event, organiser, *, talk=None, open_it=True, **fields) -> Poll:
    poll = polls.poll_create(
        event=event, talk=talk, user=organiser, question="Coffee?", options=["Yes", "No"],
        **fields,
    )  # fmt: skip
    if open_it:
        polls.poll_open(poll=poll, user=organiser)
    return poll


# -- the permission matrix ---------------------------------------------------------------------


MATRIX = {
    # who: (manage page, prepare by page, open by page, csv, API prepare, API close, API list)
    "anonymous": (302, 302, 302, 404, 401, 401, 200),
    "member": (404, 404, 404, 404, 404, 404, 200),
    "speaker": (200, 302, 302, 404, 201, 200, 200),
    "other_organiser": (404, 404, 404, 404, 404, 404, 200),
    "organiser": (200, 302, 302, 200, 201, 200, 200),
}


@pytest.mark.parametrize("who", PEOPLE)
def test_preparing_and_running_polls(running_event, talk, organiser, cast, who):
    by_page = new_poll(running_event, organiser, talk=talk, open_it=False)
    client = client_for(cast[who])
    form = {"question": "Tea?", "talk": str(talk.pk), "kind": "single", "results": "live",
            "option_1": "Yes", "option_2": "No"}  # fmt: skip
    api_poll = {"question": "API?", "options": ["a", "b"], "talk": talk.slug}

    answers = (
        client.get(_url(running_event)).status_code,
        client.post(_url(running_event), form).status_code,
        client.post(_url(running_event, f"{by_page.pk}/open/")).status_code,
        client.get(f"/events/{running_event.slug}/live/polls.csv").status_code,
        client.post(
            f"/api/events/{running_event.slug}/polls", api_poll, content_type="application/json"
        ).status_code,
        client.post(f"/api/polls/{by_page.pk}/close").status_code,
        client.get(f"/api/events/{running_event.slug}/polls").status_code,
    )

    assert answers == MATRIX[who]
    made = sorted(Poll.objects.exclude(pk=by_page.pk).values_list("question"))
    by_page.refresh_from_db()
    if who in ("speaker", "organiser"):
        assert made == [("API?",), ("Tea?",)]
        assert by_page.status == "closed"  # opened by the page, closed through the API
    else:
        assert made == []
        assert by_page.status == "draft"


VOTES = {
    # who: (page vote with htmx, API vote, API results)
    "anonymous": (200, 401, 200),
    "member": (200, 200, 200),
    "speaker": (200, 200, 200),
    "other_organiser": (200, 200, 200),
    "organiser": (200, 200, 200),
}


@pytest.mark.parametrize("who", PEOPLE)
def test_answering_needs_a_login_on_every_route(running_event, organiser, cast, who):
    poll = new_poll(running_event, organiser, kind=Poll.Kind.SINGLE)
    yes, no = poll.options.all()
    client = client_for(cast[who])

    page = client.post(_url(running_event, f"{poll.pk}/vote/"), {"option": yes.pk}, **HTMX)
    api = client.post(
        f"/api/polls/{poll.pk}/vote", {"options": [no.pk]}, content_type="application/json"
    )
    results = client.get(f"/api/polls/{poll.pk}/results")

    assert (page.status_code, api.status_code, results.status_code) == VOTES[who]
    ballots = list(PollBallot.objects.values_list("options__text", flat=True))
    if who == "anonymous":
        assert page["HX-Redirect"].startswith("/accounts/login/?next=")
        assert ballots == []
    else:
        assert ballots == ["No"]  # the API changed the page's answer


@pytest.mark.parametrize("who", PEOPLE)
def test_a_draft_is_unseen_by_the_room(running_event, organiser, cast, who):
    draft = new_poll(running_event, organiser, open_it=False)
    client = client_for(cast[who])

    answers = (
        client.get(f"/api/polls/{draft.pk}/results").status_code,
        client.post(
            _url(running_event, f"{draft.pk}/vote/"), {"option": draft.options.first().pk}
        ).status_code,
        [p["id"] for p in client.get(f"/api/events/{running_event.slug}/polls").json()],
    )

    if who == "organiser":
        assert answers == (200, 404, [draft.pk])
    else:
        assert answers == (404, 404, [])


# -- the room's pages --------------------------------------------------------------------------


def test_plain_vote_redirects_with_a_message_and_marks_the_choice(running_event, organiser, member):
    poll = new_poll(running_event, organiser)
    yes = poll.options.get(text="Yes")
    client = signed_in(member)

    answer = client.post(_url(running_event, f"{poll.pk}/vote/"), {"option": yes.pk}, follow=True)

    assert answer.redirect_chain == [(f"/events/{running_event.slug}/live/", 302)]
    page = answer.content.decode()
    assert page.count("Thanks: your answer is in.") == 1
    assert page.count(f'value="{yes.pk}" id="poll-{poll.pk}-option-{yes.pk}" checked') == 1
    assert page.count("Change my answer") == 1


def test_htmx_vote_refusal_shows_in_place_with_its_status(running_event, talk, organiser, member):
    poll = new_poll(running_event, organiser)
    other = new_poll(running_event, organiser, talk=talk)
    client = signed_in(member)

    foreign = client.post(
        _url(running_event, f"{poll.pk}/vote/"), {"option": other.options.first().pk}, **HTMX
    )
    junk = client.post(_url(running_event, f"{poll.pk}/vote/"), {"option": "x"}, **HTMX)
    polls.poll_close(poll=poll, user=organiser)
    late = client.post(
        _url(running_event, f"{poll.pk}/vote/"), {"option": poll.options.first().pk}, **HTMX
    )

    assert (foreign.status_code, junk.status_code, late.status_code) == (422, 422, 409)
    assert foreign.content.decode().count("Choose among this poll&#x27;s answers.") == 1
    assert late.content.decode().count("This poll has closed.") == 1
    assert PollBallot.objects.count() == 0


def test_invalid_poll_form_answers_422_with_errors(running_event, organiser):
    client = signed_in(organiser)

    answer = client.post(
        _url(running_event),
        {"question": "", "talk": "event", "kind": "single", "results": "live",
         "option_1": "Same", "option_2": "same"},
    )  # fmt: skip

    assert answer.status_code == 422
    assert Poll.objects.count() == 0
    assert answer.content.decode().count("This field is required.") == 1


def test_duplicate_options_refused_in_the_form(running_event, organiser):
    client = signed_in(organiser)

    answer = client.post(
        _url(running_event),
        {"question": "Which?", "talk": "event", "kind": "single", "results": "live",
         "option_1": "Same", "option_2": "same"},
    )  # fmt: skip

    assert answer.status_code == 422
    assert answer.content.decode().count("Two options are the same.") == 1


def test_opening_a_second_poll_of_a_talk_is_refused_with_a_message(running_event, talk, organiser):
    new_poll(running_event, organiser, talk=talk)
    second = new_poll(running_event, organiser, talk=talk, open_it=False)
    client = signed_in(organiser)

    answer = client.post(_url(running_event, f"{second.pk}/open/"), follow=True)

    assert answer.content.decode().count("Another poll for this talk is open: close it first.") == 1
    second.refresh_from_db()
    assert second.status == "draft"


def test_api_results_hidden_until_reveal(running_event, organiser, member):
    poll = new_poll(running_event, organiser, results=Poll.Results.REVEAL)
    yes = poll.options.get(text="Yes")
    polls.poll_vote(poll=poll, user=member, option_ids=[yes.pk])

    before = signed_in(member).get(f"/api/polls/{poll.pk}/results").json()
    organisers = signed_in(organiser).get(f"/api/polls/{poll.pk}/results").json()
    revealed = signed_in(organiser).post(f"/api/polls/{poll.pk}/reveal").json()

    assert [o["votes"] for o in before["options"]] == [None, None]
    assert before["people_answered"] == 1
    assert [o["votes"] for o in organisers["options"]] == [1, 0]
    assert [o["votes"] for o in revealed["options"]] == [1, 0]
    assert revealed["revealed"] is True


def test_api_refusals_use_the_shared_body(running_event, organiser, member):
    poll = new_poll(running_event, organiser)
    client = signed_in(member)

    two = client.post(
        f"/api/polls/{poll.pk}/vote",
        {"options": [o.pk for o in poll.options.all()]},
        content_type="application/json",
    )
    second = signed_in(organiser).post(
        f"/api/events/{running_event.slug}/polls",
        {"question": "Q", "options": ["a", "A"]},
        content_type="application/json",
    )

    assert (two.status_code, two.json()) == (
        422,
        {"detail": "Choose one answer.", "kind": "invalid", "field": "options"},
    )
    assert (second.status_code, second.json()["detail"]) == (422, "Two options are the same.")


def test_csv_has_one_row_per_option(running_event, talk, organiser, member):
    poll = new_poll(running_event, organiser, talk=talk)
    polls.poll_vote(poll=poll, user=member, option_ids=[poll.options.get(text="No").pk])
    polls.poll_close(poll=poll, user=organiser)
    new_poll(running_event, organiser, open_it=False)  # a draft is not exported

    answer = signed_in(organiser).get(f"/events/{running_event.slug}/live/polls.csv")

    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode())))
    assert answer["Content-Disposition"] == (
        f'attachment; filename="{running_event.slug}-polls.csv"'
    )
    assert [row[:5] + row[7:] for row in rows] == [
        ["poll", "for", "answers", "results", "status", "people answered", "option", "votes"],
        ["Coffee?", "Async Django", "One answer", "Show results while voting", "Closed", "1",
         "Yes", "0"],
        ["Coffee?", "Async Django", "One answer", "Show results while voting", "Closed", "1",
         "No", "1"],
    ]  # fmt: skip


def test_closed_polls_are_archived_on_the_talk_page(running_event, talk, organiser, member):
    poll = new_poll(running_event, organiser, talk=talk, results=Poll.Results.REVEAL)
    polls.poll_vote(poll=poll, user=member, option_ids=[poll.options.get(text="Yes").pk])
    new_poll(running_event, organiser, talk=talk, open_it=False)  # a draft: not archived
    before = Client().get(talk.get_absolute_url()).content.decode()
    polls.poll_close(poll=poll, user=organiser)

    after = Client().get(talk.get_absolute_url()).content.decode()

    assert before.count('id="polls-archive-heading"') == 0
    assert after.count('id="polls-archive-heading"') == 1
    assert after.count(f'data-poll="{poll.pk}"') == 1
    assert after.count(f'data-votes-for="{poll.options.get(text="Yes").pk}">1 · 100%') == 1


# -- query counts ------------------------------------------------------------------------------


def _room_with_polls(event, organiser, n):
    talks = list(event.talks.all())
    for i in range(n):
        poll = polls.poll_create(
            event=event, talk=talks[i % 2], user=organiser, question=f"Q{i}", options=["a", "b"]
        )
        polls.poll_open(poll=poll, user=organiser)
        voter = make_user()
        polls.poll_vote(poll=poll, user=voter, option_ids=[poll.options.first().pk])
        if i < n - 2:
            polls.poll_close(poll=poll, user=organiser)


@pytest.mark.parametrize("n", [2, 5])
def test_poll_queries_do_not_grow_with_polls(
    running_event, organiser, member, django_assert_num_queries, n
):
    """The live page's polls (list, options, counts, ballots, my answers), the prepare page's
    list and the API's list each take a fixed number of queries, however many polls."""
    from live import poll_selectors

    _room_with_polls(running_event, organiser, n)

    with django_assert_num_queries(5):  # polls, options, votes, ballots, my answers
        room = poll_selectors.room_polls(event_id=running_event.pk)
        poll_selectors.my_poll_choices(user=member, event_id=running_event.pk)
    with django_assert_num_queries(5):  # organiser check, polls, options, votes, ballots
        prepared = poll_selectors.polls_to_prepare(event=running_event, user=organiser)
    assert (len(room), len(prepared)) == (min(n, 2 + 3), n)


@pytest.mark.parametrize("n", [1, 4])
def test_talk_page_polls_queries_do_not_grow(
    running_event, talk, organiser, django_assert_num_queries, n
):
    from live import poll_selectors

    for i in range(n):
        poll = polls.poll_create(
            event=running_event, talk=talk, user=organiser, question=f"Q{i}", options=["a", "b"]
        )
        polls.poll_open(poll=poll, user=organiser)
        polls.poll_close(poll=poll, user=organiser)

    with django_assert_num_queries(2):  # closed polls (+talk), their options; counts frozen
        archive = poll_selectors.talk_poll_archive(talk=talk)
    assert len(archive) == n


def _page_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # session, site and the like warmed up
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_pages_listing_polls_take_the_same_queries_for_3_and_7_polls(
    running_event, organiser, member
):
    """The prepare page, the live page, the API list and the talk page: their query counts do
    not grow with the number of polls."""
    talk = running_event.talks.get(slug="async-django")
    urls = [
        _url(running_event),
        f"/events/{running_event.slug}/live/",
        f"/api/events/{running_event.slug}/polls",
        talk.get_absolute_url(),
    ]
    client = signed_in(organiser)
    _room_with_polls(running_event, organiser, 3)  # one closed, on the talk
    few = [_page_queries(client, url) for url in urls]
    for poll in Poll.objects.filter(status=Poll.Status.OPEN):
        polls.poll_close(poll=poll, user=organiser)
    _room_with_polls(running_event, organiser, 4)

    assert [_page_queries(client, url) for url in urls] == few
