"""The live rules (`live.rules`), each asked through every route that uses it: the pages, the
API and the websocket answer the same person the same way (a socket refused with the close code
of the same refusal, 4000 + its status), and a refusal writes nothing."""

from datetime import timedelta

import pytest
from django.test import Client

from live.models import LiveState, Question, QuestionVote
from meetups.models import Event
from tests.factories import make_event, make_group, make_talk, make_user
from tests.live.conftest import run, signed_in
from tests.live.helpers import communicator, live_process, next_frame, ws_path

HTMX = {"HTTP_HX_REQUEST": "true"}
PEOPLE = ("anonymous", "member", "other_organiser", "organiser")


@pytest.fixture
def cast(organiser, member):
    other = make_user(username="other-organiser")
    make_group().organisers.add(other)
    return {"anonymous": None, "member": member, "other_organiser": other, "organiser": organiser}


def client_for(user) -> Client:
    return signed_in(user) if user is not None else Client()


def socket(event, user, *, view="live") -> tuple[bool, int | None, str]:
    """Open the event's socket as `user`: (connected, close code, the first frame)."""
    client = client_for(user)

    async def body():
        async with live_process():
            comm = communicator(ws_path(event, view=view), client=client)
            connected, code = await comm.connect(timeout=5)
            frame = ""
            if connected:
                frame = await next_frame(comm)
                await comm.disconnect()
            return connected, (None if connected else code), frame

    return run(body)


def _url(event, rest: str = "") -> str:
    return f"/events/{event.slug}/live/{rest}"


# -- may see the room (live.view) and may present (live.present) ------------------------------


@pytest.mark.parametrize("who", PEOPLE)
def test_a_drafts_room_is_its_organisers_only_on_every_route(group, cast, who):
    draft = make_event(group=group, status=Event.Status.DRAFT, starts_in=-timedelta(hours=1))
    client = client_for(cast[who])

    answers = {
        "page": client.get(_url(draft)).status_code,
        "presenter": client.get(_url(draft, "presenter/")).status_code,
        "API questions": client.get(f"/api/events/{draft.slug}/questions").status_code,
    }
    live_socket = socket(draft, cast[who])[:2]
    presenter_socket = socket(draft, cast[who], view="presenter")[:2]

    if who == "organiser":
        assert answers == {"page": 200, "presenter": 200, "API questions": 200}
        assert (live_socket, presenter_socket) == ((True, None), (True, None))
    else:
        assert answers == {"page": 404, "presenter": 404, "API questions": 404}
        assert (live_socket, presenter_socket) == ((False, 4404), (False, 4404))


@pytest.mark.parametrize("who", (*PEOPLE, "speaker"))
def test_only_organisers_and_speakers_may_present(running_event, member, cast, who):
    """Guards the presenter view (page, socket and the live page's link to it) against being
    offered to every attendee: only those who run the room or speak at the event get it."""
    from tests.factories import make_speaker

    speaker_user = make_user(username="the-speaker")
    make_talk(event=running_event, slug="their-talk", speakers=[make_speaker(user=speaker_user)])
    cast = {**cast, "speaker": speaker_user}
    question = Question.objects.create(event=running_event, author=member, text="Top of the room")

    page = client_for(cast[who]).get(_url(running_event, "presenter/?qa=event"))
    live_page = client_for(cast[who]).get(_url(running_event)).content.decode()
    connected, code, frame = socket(running_event, cast[who], view="presenter")

    if who in ("organiser", "speaker"):
        assert page.status_code == 200
        assert page.content.decode().count(question.text) == 1
        assert live_page.count(">Presenter view</a>") == 1
        assert (connected, code) == (True, None)
        assert frame.count('id="presenter-top"') == 1
        assert frame.count(question.text) == 1
        # The projector shows the room, never the moderation lists.
        assert frame.count('id="qa-queue"') == 0
    else:
        assert page.status_code == 404
        assert live_page.count(">Presenter view</a>") == 0
        assert (connected, code) == (False, 4404)


# -- may moderate (live.moderate) -------------------------------------------------------------


def moderation_answers(event, question, talk, user) -> dict[str, int]:
    client = client_for(user)
    return {
        "pin": client.post(_url(event, f"questions/{question.pk}/pin/"), **HTMX).status_code,
        "hide": client.post(_url(event, f"questions/{question.pk}/hide/"), **HTMX).status_code,
        "stage": client.post(_url(event, "stage/"), {"talk": talk.pk}, **HTMX).status_code,
        "settings": client.post(
            _url(event, "settings/"), {"premoderate": "on"}, **HTMX
        ).status_code,
        "talk settings": client.post(
            _url(event, f"talks/{talk.slug}/settings/"), {"premoderate": "yes"}, **HTMX
        ).status_code,
    }


@pytest.mark.parametrize("who", PEOPLE)
def test_moderation_is_the_organisers_on_pages_and_sockets(running_event, talk, member, cast, who):
    question = Question.objects.create(event=running_event, author=member, text="Visible one")
    Question.objects.create(
        event=running_event, author=member, text="Queued secret", status=Question.Status.PENDING
    )
    Question.objects.create(
        event=running_event,
        author=make_user(username="shy-asker"),
        text="Who asked?",
        is_anonymous=True,
    )
    user = cast[who]

    # The sockets first: the page writes below would change what they show.
    connected, _code, frame = socket(running_event, user)
    dashboard = socket(running_event, user, view="dashboard")[:2]
    answers = moderation_answers(running_event, question, talk, user)

    assert connected is True
    question.refresh_from_db()
    state = LiveState.objects.filter(event=running_event).first()
    if who == "organiser":
        assert answers == {"pin": 200, "hide": 200, "stage": 200, "settings": 200,
                           "talk settings": 200}  # fmt: skip
        # The organiser's frames: the moderation queue, and who asked anonymously.
        assert (frame.count(">Queued secret</p>"), frame.count("(shy-asker)")) == (1, 1)
        assert dashboard == (True, None)
        assert question.status == Question.Status.HIDDEN
        # Pinned, then unpinned by hiding it.
        assert (state.current_talk, state.premoderate, state.pinned_question) == (talk, True, None)
    else:
        assert answers == {"pin": 404, "hide": 404, "stage": 404, "settings": 404,
                           "talk settings": 404}  # fmt: skip
        assert (frame.count("Queued secret"), frame.count("shy-asker")) == (0, 0)
        assert frame.count(">Visible one</p>") == 1
        assert dashboard == (False, 4404)
        assert question.status == Question.Status.VISIBLE
        assert state is None


# -- may ask (live.ask) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "page", "api"),
    [("anonymous", 200, 401), ("member", 200, 201), ("organiser", 200, 201)],
)
def test_asking_needs_a_login_on_every_route(running_event, cast, who, page, api):
    client = client_for(cast[who])

    by_page = client.post(_url(running_event, "questions/"), {"text": "Page?"}, **HTMX)
    by_api = client.post(
        f"/api/events/{running_event.slug}/questions",
        {"text": "API?"},
        content_type="application/json",
    )

    assert (by_page.status_code, by_api.status_code) == (page, api)
    if who == "anonymous":
        assert by_page["HX-Redirect"].startswith("/accounts/login/?next=")
        assert Question.objects.count() == 0
    else:
        assert sorted(Question.objects.values_list("text", flat=True)) == ["API?", "Page?"]


@pytest.mark.parametrize(("who", "status"), [("member", 404), ("organiser", 409)])
def test_asking_in_a_drafts_room(group, cast, who, status):
    draft = make_event(group=group, status=Event.Status.DRAFT, starts_in=-timedelta(hours=1))
    client = client_for(cast[who])

    by_page = client.post(_url(draft, "questions/"), {"text": "Page?"}, **HTMX)
    by_api = client.post(
        f"/api/events/{draft.slug}/questions", {"text": "API?"}, content_type="application/json"
    )

    # Unseen for members; seen by its organisers, whose Q&A opens once it is published.
    assert (by_page.status_code, by_api.status_code) == (status, status)
    assert Question.objects.count() == 0


# -- may vote on a question (live.vote) ---------------------------------------------------------


def vote_answers(event, question, user) -> dict[str, int]:
    client = client_for(user)
    return {
        "page": client.post(_url(event, f"questions/{question.pk}/vote/"), **HTMX).status_code,
        "API vote": client.post(f"/api/questions/{question.pk}/vote").status_code,
        "API unvote": client.delete(f"/api/questions/{question.pk}/vote").status_code,
    }


@pytest.mark.parametrize(
    ("who", "answers"),
    [
        # The page sends to the login page (an htmx client redirect); the API asks who you are.
        ("anonymous", {"page": 200, "API vote": 401, "API unvote": 401}),
        ("member", {"page": 200, "API vote": 200, "API unvote": 200}),
    ],
)
def test_voting_on_a_visible_question(running_event, cast, who, answers):
    question = Question.objects.create(event=running_event, author=make_user(), text="Vote me")

    assert vote_answers(running_event, question, cast[who]) == answers
    # The page's toggle voted; the API voted (no change) and took it back.
    assert QuestionVote.objects.count() == 0


@pytest.mark.parametrize("status", [Question.Status.HIDDEN, Question.Status.PENDING])
@pytest.mark.parametrize("who", ["member", "organiser"])
def test_a_question_not_in_the_room_takes_no_votes(running_event, cast, who, status):
    question = Question.objects.create(
        event=running_event, author=make_user(), text="Not in the room", status=status
    )

    answers = vote_answers(running_event, question, cast[who])

    assert answers == {"page": 404, "API vote": 404, "API unvote": 404}
    assert QuestionVote.objects.count() == 0


def test_a_drafts_questions_take_votes_from_its_organisers_only(group, cast):
    draft = make_event(group=group, status=Event.Status.DRAFT, starts_in=-timedelta(hours=1))
    talk = make_talk(event=draft)
    question = Question.objects.create(event=draft, talk=talk, author=make_user(), text="Draft")

    member = vote_answers(draft, question, cast["member"])
    organiser = vote_answers(draft, question, cast["organiser"])

    assert member == {"page": 404, "API vote": 404, "API unvote": 404}
    # Seen, but a draft's Q&A is closed (only a published event's is open).
    assert organiser == {"page": 409, "API vote": 409, "API unvote": 409}
    assert QuestionVote.objects.count() == 0
