"""Q&A votes and live settings: a no-op writes nothing and takes no write lock (#11, item 5)."""

import pytest

from live import services
from live.models import LiveState, QuestionVote, TalkQASettings
from tests.noop import no_write

pytestmark = pytest.mark.django_db


@pytest.fixture
def question(running_event, talk, member):
    return services.question_create(event=running_event, talk=talk, author=member, text="Why?")


def test_question_vote_twice_is_answered_without_a_write(question, other_member):
    assert services.question_vote(question=question, user=other_member) is True
    with no_write():
        assert services.question_vote(question=question, user=other_member) is False
    question.refresh_from_db()
    assert (question.vote_count, QuestionVote.objects.count()) == (1, 1)


def test_question_unvote_without_a_vote_is_answered_without_a_write(question, other_member):
    with no_write():
        assert services.question_unvote(question=question, user=other_member) is False


def test_question_unvote_still_removes_a_vote(question, other_member):
    services.question_vote(question=question, user=other_member)
    assert services.question_unvote(question=question, user=other_member) is True
    question.refresh_from_db()
    assert question.vote_count == 0


def test_live_settings_to_their_current_values_write_nothing(running_event, organiser):
    services.live_settings_update(
        event=running_event, user=organiser, premoderate=True, accepting_questions=True
    )
    with no_write():
        services.live_settings_update(
            event=running_event, user=organiser, premoderate=True, accepting_questions=True
        )
    services.live_settings_update(
        event=running_event, user=organiser, premoderate=False, accepting_questions=True
    )
    assert LiveState.objects.get(event=running_event).premoderate is False


def test_talk_qa_settings_to_their_current_value_write_nothing(talk, organiser):
    services.talk_qa_settings_update(talk=talk, user=organiser, premoderate=True)
    with no_write():
        services.talk_qa_settings_update(talk=talk, user=organiser, premoderate=True)
    assert TalkQASettings.objects.get(talk=talk).premoderate is True


def test_live_settings_by_a_member_is_refused_before_any_read_of_state(running_event, member):
    with no_write(), pytest.raises(Exception) as refused:
        services.live_settings_update(
            event=running_event, user=member, premoderate=True, accepting_questions=True
        )
    assert refused.value.status == 404
