"""Feedback's part of a person's data (export, erasure), its demo rows and the stage record."""

from feedback.models import TalkFeedback, TalkOnStage
from feedback.rules import can_view_feedback
from live.models import LiveState
from live.services import live_current_talk_set, question_pin
from meetups.demo import load_demo
from portal.personal_data import account_erasing, personal_data_requested
from tests import factories


def _sections(user) -> dict:
    return dict(answer for _receiver, answer in personal_data_requested.send(None, user=user))


def test_export_lists_the_persons_ratings(world):
    row = TalkFeedback.objects.create(
        talk=world.talk, user=world.checked_in, rating=4, comment="Good"
    )
    TalkFeedback.objects.create(talk=world.talk, user=factories.make_user(), rating=1)
    assert _sections(world.checked_in)["talk_feedback"] == [
        {
            "talk": "The talk",
            "talk_url": "/talks/the-talk/",
            "event": world.event.title,
            "rating": 4,
            "comment": "Good",
            "created_at": row.created_at.isoformat(),
            "updated_at": row.updated_at.isoformat(),
        }
    ]
    assert _sections(world.stranger)["talk_feedback"] == []


def test_erasure_deletes_the_persons_feedback(world):
    TalkFeedback.objects.create(talk=world.talk, user=world.checked_in, rating=4)
    kept = TalkFeedback.objects.create(talk=world.talk, user=world.going, rating=2)
    account_erasing.send(None, user=world.checked_in)
    assert list(TalkFeedback.objects.all()) == [kept]


def test_demo_rates_a_past_seed_talk_once(db):
    load_demo()
    load_demo()
    rows = TalkFeedback.objects.select_related("talk__event", "user").order_by("user__username")
    assert [(r.user.username, r.rating) for r in rows] == [
        ("attendee1", 4),
        ("attendee2", 5),
        ("attendee3", 3),
        ("member", 5),
    ]
    talk = rows[0].talk
    assert talk.slug == "what-is-django-and-why-is-it-relevant-in-2024"
    assert talk.event.is_past
    # The demo speaker has no account, the demo organiser reads it.
    assert can_view_feedback(talk.event.group.owner, talk) is True


def test_stage_record_only_for_a_new_current_talk(world, time_machine):
    time_machine.move_to(world.event.starts_at)
    live_current_talk_set(event=world.event, talk=world.talk, user=world.organiser)
    first = TalkOnStage.objects.get().first_at
    time_machine.shift(600)
    question_pin(question=None, event=world.event, user=world.organiser)
    live_current_talk_set(event=world.event, talk=None, user=world.organiser)
    live_current_talk_set(event=world.event, talk=world.talk, user=world.organiser)
    assert list(TalkOnStage.objects.values_list("talk", "first_at")) == [(world.talk.pk, first)]
    assert LiveState.objects.get().current_talk == world.talk
