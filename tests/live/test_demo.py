from live.models import LiveState, Question, QuestionVote
from meetups.demo import load_demo


def test_live_demo_is_idempotent(db):
    load_demo()
    load_demo()
    assert Question.objects.count() == 4
    assert Question.objects.filter(status=Question.Status.HIDDEN).count() == 1
    assert QuestionVote.objects.count() == 3
    assert LiveState.objects.count() == 1
