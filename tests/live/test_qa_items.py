"""Q&A broadcasts keep each question's item per state (live/qa_items.py): a frame built from
kept items is the frame a fresh process renders, after every kind of change an item shows,
and a broadcast after one vote renders only that question's items."""

from unittest import mock

import pytest

from live import broadcast, qa_items, services
from live.models import Question
from meetups.models import Event
from tests.factories import make_user


def frames(event: Event) -> dict[str, str]:
    event = Event.objects.get(pk=event.pk)
    return broadcast.render_qa_frames(event=event, talk_id=None, stamp="1")


def fresh_frames(event: Event) -> dict[str, str]:
    qa_items.forget_all()
    return frames(event)


@pytest.fixture
def room(running_event, member):
    first = Question.objects.create(event=running_event, author=member, text="First question")
    second = Question.objects.create(event=running_event, author=make_user(), text="Second")
    frames(running_event)  # every item kept
    return running_event, first, second


def _vote(event, question, organiser):
    services.question_vote(question=question, user=make_user())


def _pin(event, question, organiser):
    services.question_pin(question=question, event=event, user=organiser)


def _answer(event, question, organiser):
    services.question_mark_answered(question=question, user=organiser)


def _hide(event, question, organiser):
    services.question_hide(question=question, user=organiser)


def _pending(event, question, organiser):
    Question.objects.filter(pk=question.pk).update(status=Question.Status.PENDING)


def _edit_text(event, question, organiser):
    Question.objects.filter(pk=question.pk).update(text="Reworded <b>question</b>")


def _anonymous(event, question, organiser):
    Question.objects.filter(pk=question.pk).update(is_anonymous=True)


def _author_renamed(event, question, organiser):
    question.author.first_name, question.author.last_name = "Ada", "Lovelace"
    question.author.save()


def _time_zone(event, question, organiser):
    Event.objects.filter(pk=event.pk).update(time_zone="America/New_York")


def _slug_changed(event, question, organiser):  # every form posts to the new URL
    Event.objects.filter(pk=event.pk).update(slug="renamed-meetup")


def _read_only(event, question, organiser):
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)


CHANGES = [_vote, _pin, _answer, _hide, _pending, _edit_text, _anonymous, _author_renamed,
           _time_zone, _slug_changed, _read_only]  # fmt: skip


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__.strip("_"))
def test_a_kept_item_never_shows_an_older_state(room, organiser, change):
    event, first, _ = room
    before = frames(event)
    change(event, Question.objects.get(pk=first.pk), organiser)
    after = frames(event)
    assert after != before  # the change shows
    assert after == fresh_frames(event)


def test_after_one_vote_only_that_questions_items_are_rendered(room, organiser):
    event, _, second = room
    services.question_vote(question=second, user=make_user())
    render = mock.Mock(wraps=broadcast.render_to_string)
    with mock.patch("live.qa_items.render_to_string", render):
        frames(event)
    rendered = [call.args[1]["q"].pk for call in render.call_args_list]
    assert rendered == [second.pk, second.pk]  # once for the public, once for organisers


def test_items_carry_no_viewers_votes_or_token(room):
    event, first, _ = room
    context = {"audience": "public", "can_vote": True, "pinned_id": None, "qa_url": "/q/",
               "event": event}  # fmt: skip
    with pytest.raises(ValueError, match="no viewer's votes"):
        qa_items.question_item(first, {**context, "my_votes": {first.pk}})
    with pytest.raises(ValueError, match="no viewer's votes"):
        qa_items.question_item(first, {**context, "csrf_token": "token"})


def test_the_oldest_items_go_first(room, monkeypatch):
    event = room[0]
    monkeypatch.setattr(qa_items, "MAX_ITEMS", 3)
    qa_items.forget_all()
    frames(event)  # four items: two questions, two audiences
    assert len(qa_items._items) == 3
    assert frames(event) == fresh_frames(event)
