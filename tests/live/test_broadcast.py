"""Broadcast frames: rendered once per audience and sort, with only what that audience sees."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from live import broadcast, selectors, services
from live.models import LiveState, Question
from live.topics import follow_key, qa_key, stage_key
from tests.factories import make_user


def test_qa_frames_per_audience_and_sort(running_event, member):
    older = Question.objects.create(event=running_event, author=member, text="Older, 2 votes")
    Question.objects.create(event=running_event, author=member, text="Newer, no votes")
    Question.objects.filter(pk=older.pk).update(vote_count=2)
    Question.objects.create(
        event=running_event, author=make_user(), text="Queued", status=Question.Status.PENDING
    )
    frames = broadcast.render_qa_frames(event=running_event, talk_id=None, stamp="42")
    assert sorted(frames) == ["organiser:new", "organiser:top", "presenter", "public:new",
                              "public:top"]  # fmt: skip
    top, new = frames["public:top"], frames["public:new"]
    assert top.index("Older, 2 votes") < top.index("Newer, no votes")
    assert new.index("Newer, no votes") < new.index("Older, 2 votes")
    assert top.count("data-vote-for") == 2
    assert top.count("/hide/") == 0
    assert top.count("Queued") == 0
    assert frames["organiser:top"].count(f"/questions/{older.pk}/hide/") == 2  # action + hx-post
    assert frames["organiser:top"].count(">Queued</p>") == 1
    assert top.count('data-broadcast="42"') == 1
    assert frames["presenter"].count("data-vote-for") == 0


def test_qa_frames_after_the_event_have_no_vote_buttons(past_event, member):
    Question.objects.create(event=past_event, author=member, text="Archived")
    frames = broadcast.render_qa_frames(event=past_event, talk_id=None)
    assert frames["public:top"].count("Archived") == 1
    assert frames["public:top"].count("data-vote-for") == 0


def test_pinned_question_is_marked_and_left_out_of_presenter_top(running_event, member, organiser):
    pinned = Question.objects.create(event=running_event, author=member, text="On the screen")
    Question.objects.create(event=running_event, author=member, text="Next up")
    services.question_pin(question=pinned, event=running_event, user=organiser)
    frames = broadcast.render_qa_frames(event=running_event, talk_id=None)
    assert frames["presenter"].count("On the screen") == 0
    assert frames["presenter"].count("Next up") == 1
    assert frames["public:top"].count("Now answering") == 1
    assert frames["organiser:top"].count(f"/questions/{pinned.pk}/unpin/") == 2


def test_the_room_read_for_a_broadcast_is_its_revision_pin_and_talk(running_event, talk, member):
    assert selectors.live_room(event_id=running_event.pk) == (0, None, None)  # no state yet
    question = Question.objects.create(event=running_event, talk=talk, author=member, text="Q")
    LiveState.objects.create(
        event=running_event, current_talk=talk, pinned_question=question, revision=7
    )
    room = selectors.live_room(event_id=running_event.pk)
    assert (room.revision, room.pinned_question_id, room.current_talk_id) == (
        7,
        question.pk,
        talk.pk,
    )
    services.question_vote(question=question, user=make_user())
    assert selectors.live_revision(event_id=running_event.pk) == 8


def test_a_qa_broadcast_reads_the_room_once(running_event, talk, member, monkeypatch):
    """Guards: the revision, the pin and the talk on stage read in a query each (three per
    vote in a busy room) instead of one; and the talk on stage still decides who follows."""
    Question.objects.create(event=running_event, talk=talk, author=member, text="Q")
    LiveState.objects.create(event=running_event, current_talk=talk, revision=3)
    published = []
    monkeypatch.setattr(broadcast, "publish", lambda **kwargs: published.append(kwargs))
    with CaptureQueriesContext(connection) as queries:
        broadcast._send_qa((running_event.pk, talk.pk), True)
    reads_of_the_room = [q for q in queries if '"live_livestate"' in q["sql"]]
    assert len(reads_of_the_room) == 1
    assert len(queries) == 4  # the room, the event, the questions, the talk's title
    assert [(p["key"], p["revision"]) for p in published] == [
        (qa_key(running_event.pk, talk.pk), 3),
        (follow_key(running_event.pk), 3),
    ]
    published.clear()
    broadcast._send_qa((running_event.pk, None), True)  # the event-wide Q&A: not on stage
    assert [p["key"] for p in published] == [qa_key(running_event.pk, None)]


def test_a_talk_switch_sends_the_new_talks_qa_from_the_same_room_read(
    running_event, talk, member, monkeypatch
):
    """Guards: the talk on stage read again (with its talk and pinned question's author) after
    the room was read for the revision; and the followers getting another talk's Q&A."""
    Question.objects.create(event=running_event, talk=talk, author=member, text="On this talk")
    LiveState.objects.create(event=running_event, current_talk=talk, revision=5)
    published = []
    monkeypatch.setattr(broadcast, "publish", lambda **kwargs: published.append(kwargs))
    with CaptureQueriesContext(connection) as queries:
        broadcast.stage_changed(event_id=running_event.pk, talk_switched=True)
    assert [(p["key"], p["revision"]) for p in published] == [
        (stage_key(running_event.pk), 5),
        (follow_key(running_event.pk), 5),
    ]
    followed = published[1]["frames"]["public:top"]
    assert f">: {talk.title}</span>" in followed
    assert "On this talk" in followed
    # The room for the revision and the talk, and the stage's own read of the live state.
    assert len([q for q in queries if '"live_livestate"' in q["sql"]]) == 2
