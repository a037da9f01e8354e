"""Broadcast frames: rendered once per audience and sort, with only what that audience sees."""

from live import broadcast
from live.models import Question
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
    from live import services

    pinned = Question.objects.create(event=running_event, author=member, text="On the screen")
    Question.objects.create(event=running_event, author=member, text="Next up")
    services.question_pin(question=pinned, event=running_event, user=organiser)
    frames = broadcast.render_qa_frames(event=running_event, talk_id=None)
    assert frames["presenter"].count("On the screen") == 0
    assert frames["presenter"].count("Next up") == 1
    assert frames["public:top"].count("Now answering") == 1
    assert frames["organiser:top"].count(f"/questions/{pinned.pk}/unpin/") == 2
