"""A Q&A upvote made cheap (issue #17 items 6 and 7: the vote's POST shares the core with the
fan-out) without loosening a rule: its statements, the rules asked once, the question's and
its event's state read again in the write's transaction, and two tabs of one person racing."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from live import selectors, services
from live.models import Question, QuestionVote
from portal.errors import Kind, ServiceError
from tests.databases import ON_EACH_DATABASE
from tests.factories import make_event, make_user
from tests.live.conftest import right_after_first, signed_in
from tests.live.helpers import field_values

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def question(running_event) -> Question:
    # Through the service, as in a room: the first question also creates the room's state.
    return services.question_create(
        event=running_event, talk=None, author=make_user(), text="Why ASGI?"
    )


def vote_url(question: Question) -> str:
    return f"/events/{question.event.slug}/live/questions/{question.pk}/vote/"


def as_read(question: Question, user) -> Question:
    """The question as the page's view reads it, before anything below changes it."""
    return selectors.question_for_vote(slug=question.event.slug, question_id=question.pk, user=user)


def refusal(call) -> tuple[str, str]:
    with pytest.raises(ServiceError) as caught:
        call()
    return caught.value.kind, caught.value.message


def test_an_htmx_vote_is_fourteen_statements_and_taking_it_back_eleven(
    question, member, django_assert_num_queries
):
    client = signed_in(member)
    client.get(vote_url(question).replace(f"questions/{question.pk}/vote/", ""))  # CSRF cookie

    # The question with its event and group, the session, the user, the membership with the
    # policies; in the transaction (a savepoint here: a test runs inside one) the question's
    # and event's state, the delete that finds no vote, the insert (in its own savepoint),
    # the count and the room's revision; then my votes for the reply. It was 21: the event
    # and its talks, the question three times, the rules three times, the vote twice.
    with django_assert_num_queries(14):
        voted = client.post(vote_url(question), **HTMX)
    # The same, with the delete finding the vote and no insert. It was 19.
    with django_assert_num_queries(11):
        taken_back = client.post(vote_url(question), **HTMX)

    assert (voted.status_code, taken_back.status_code) == (200, 200)
    assert voted.content.decode().count(f'data-my-votes="{question.pk}"') == 1
    assert taken_back.content.decode().count('data-my-votes=""') == 1
    question.refresh_from_db()
    assert (question.vote_count, QuestionVote.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("change", "answer"),
    [
        ({"answered_at": timezone.now()}, (Kind.CONFLICT, "Voting on this question has closed.")),
        ({"status": Question.Status.HIDDEN}, (Kind.NOT_FOUND, "No such question.")),
    ],
    ids=["answered", "hidden"],
)
@pytest.mark.parametrize("vote", [services.question_vote_toggle, services.question_vote])
def test_a_vote_is_refused_by_the_questions_state_now_not_as_the_caller_read_it(
    question, member, change, answer, vote
):
    """Breaks: the state asked only of the caller's copy, so a question answered or hidden
    after the page's view read it still takes the vote."""
    read = as_read(question, member)
    Question.objects.filter(pk=question.pk).update(**change)

    assert refusal(lambda: vote(question=read, user=member)) == answer
    assert QuestionVote.objects.count() == 0


def test_a_vote_is_refused_once_the_event_ended_after_the_caller_read_it(
    question, running_event, member
):
    read = as_read(question, member)
    type(running_event).objects.filter(pk=running_event.pk).update(ends_at=timezone.now())

    toggle = lambda: services.question_vote_toggle(question=read, user=member)  # noqa: E731
    assert refusal(toggle) == (Kind.CONFLICT, "Voting on this question has closed.")
    assert QuestionVote.objects.count() == 0


def test_a_toggle_that_lost_a_race_to_the_same_persons_vote_keeps_one_vote_counted_once(
    question, member
):
    """Guards: the one-vote constraint's refusal reported as "not voted", or counted."""

    def other_tab_votes():
        QuestionVote.objects.create(question=question, user=member)
        Question.objects.filter(pk=question.pk).update(vote_count=1)

    with right_after_first("live_questionvote", other_tab_votes, statement="DELETE"):
        has_vote = services.question_vote_toggle(question=as_read(question, member), user=member)

    question.refresh_from_db()
    assert has_vote is True
    assert (question.vote_count, QuestionVote.objects.count()) == (1, 1)


def test_a_vote_on_a_question_of_an_event_one_may_not_see_is_404_before_the_rules(
    question, running_event, member
):
    type(running_event).objects.filter(pk=running_event.pk).update(status="draft")

    response = signed_in(member).post(vote_url(question), **HTMX)

    assert response.status_code == 404
    assert QuestionVote.objects.count() == 0


@ON_EACH_DATABASE
def test_the_written_out_question_read_loads_what_the_orm_loads(
    database, running_event, member, django_assert_num_queries
):
    assert connection.vendor == database
    question = services.question_create(
        event=running_event, talk=running_event.talks.first(), author=make_user(), text="How?",
        is_anonymous=True,
    )  # fmt: skip
    Question.objects.filter(pk=question.pk).update(answered_at=timezone.now(), vote_count=3)
    orm = Question.objects.select_related("event__group").get(pk=question.pk)

    with django_assert_num_queries(1):
        read = as_read(question, member)
    with django_assert_num_queries(0):
        event, group = read.event, read.event.group

    assert field_values(read) == field_values(orm)
    assert (field_values(event), field_values(group)) == (
        field_values(orm.event),
        field_values(orm.event.group),
    )
    # The converters ran (SQLite hands datetimes back as text) and the choices are the enum's.
    assert read.answered_at.tzinfo is not None and read.event.ends_at.tzinfo is not None
    assert (read.status, read.is_anonymous) == (Question.Status.VISIBLE, True)


def test_the_written_out_question_read_refuses_another_events_slug_and_no_such_question(
    question, group, member
):
    other = make_event(group=group, starts_in=-timedelta(hours=1), title="Elsewhere")

    def read(slug, question_id):
        return lambda: selectors.question_for_vote(slug=slug, question_id=question_id, user=member)

    assert refusal(read(other.slug, question.pk)) == (Kind.NOT_FOUND, "No such question.")
    assert refusal(read(question.event.slug, question.pk + 1)) == (
        Kind.NOT_FOUND,
        "No such question.",
    )
    assert refusal(read(question.event.slug + "x", question.pk)) == (
        Kind.NOT_FOUND,
        "No such question.",
    )
