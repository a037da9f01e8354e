"""The live page, presenter view, write endpoints, talk-page archive and API over HTTP."""

import json
from datetime import timedelta

import pytest
from django.test import Client

from live import services
from live.models import LiveState, Question
from meetups.models import Event
from tests.factories import make_event, make_talk, make_user
from tests.live.conftest import signed_in

HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(event, rest: str = "") -> str:
    return f"/events/{event.slug}/live/{rest}"


def _question(event, author, text="Visible question", talk=None, **fields) -> Question:
    return Question.objects.create(event=event, talk=talk, author=author, text=text, **fields)


def test_live_page_shows_stage_counts_and_qa_to_anyone(running_event, member):
    _question(running_event, member, "What is ASGI?")
    response = Client().get(_url(running_event, "?qa=event"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("What is ASGI?") == 2  # the question, and its vote button's label
    assert html.count('id="live-stage"') == 1
    assert html.count('id="live-counts"') == 1
    assert html.count(f'ws-connect="/ws/events/{running_event.pk}/live/?qa=event') == 1
    assert html.count("to ask a question and vote") == 1


def test_live_page_follows_the_talk_on_stage(running_event, talk, organiser, member):
    services.live_current_talk_set(event=running_event, talk=talk, user=organiser)
    _question(running_event, member, "About async Django", talk=talk)
    html = Client().get(_url(running_event)).content.decode()
    assert html.count("About async Django") == 2  # the question, and its vote button's label
    # The socket follows the stage (a talk switch pushes the new talk's Q&A).
    assert html.count(f'ws-connect="/ws/events/{running_event.pk}/live/?qa=stage&amp;') == 1


def test_live_page_of_draft_event_is_404_for_members(group, member_client):
    draft = make_event(group=group, status=Event.Status.DRAFT)
    assert member_client.get(_url(draft)).status_code == 404


def test_unknown_talk_scope_is_404(running_event, group):
    other = make_talk(event=make_event(group=group), slug="elsewhere")
    assert Client().get(_url(running_event, f"?qa={other.slug}")).status_code == 404


def test_hidden_and_queued_questions_are_shown_to_organisers_only(
    running_event, member, organiser_client, member_client
):
    _question(running_event, member, "Hidden spam", status=Question.Status.HIDDEN)
    _question(running_event, member, "Queued one", status=Question.Status.PENDING)
    _question(running_event, member, "Visible one")
    public = member_client.get(_url(running_event, "?qa=event")).content.decode()
    staff = organiser_client.get(_url(running_event, "?qa=event")).content.decode()
    assert (public.count("Hidden spam"), public.count("Queued one")) == (0, 0)
    assert (staff.count(">Hidden spam</p>"), staff.count(">Queued one</p>")) == (1, 1)
    assert public.count(">Visible one</p>") == staff.count(">Visible one</p>") == 1


def test_anonymous_author_is_shown_to_organisers_only(
    running_event, member, organiser_client, member_client
):
    other = make_user(username="shy-asker")
    _question(running_event, other, "Who am I?", is_anonymous=True)
    public = member_client.get(_url(running_event, "?qa=event")).content.decode()
    staff = organiser_client.get(_url(running_event, "?qa=event")).content.decode()
    assert public.count("shy-asker") == 0
    assert staff.count("(shy-asker)") == 1


def test_question_post_htmx_answers_with_fresh_form(running_event, talk, member_client):
    response = member_client.post(
        _url(running_event, "questions/"), {"text": "Is it fast?", "qa": talk.slug}, **HTMX
    )
    assert response.status_code == 200
    assert response.content.decode().count("Thanks! Your question is up.") == 1
    question = Question.objects.get()
    assert (question.text, question.talk, question.is_anonymous) == ("Is it fast?", talk, False)


def test_question_post_without_js_redirects_back(running_event, member_client):
    response = member_client.post(_url(running_event, "questions/"), {"text": "No JS?"})
    assert response.status_code == 302
    assert response["Location"] == _url(running_event, "?qa=event")


@pytest.mark.parametrize("text", ["", "   ", "x" * 501])
def test_invalid_question_rerenders_form_with_422(running_event, member_client, text):
    response = member_client.post(_url(running_event, "questions/"), {"text": text}, **HTMX)
    assert response.status_code == 422
    assert response.content.decode().count('class="field-error"') == 1
    assert Question.objects.count() == 0


def test_question_post_needs_login(running_event):
    response = Client().post(_url(running_event, "questions/"), {"text": "Hi"}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")
    assert Question.objects.count() == 0


def test_sixth_question_in_a_minute_is_429(running_event, member_client, stopped_clock):
    for n in range(5):
        response = member_client.post(
            _url(running_event, "questions/"), {"text": f"Question {n}"}, **HTMX
        )
        assert response.status_code == 200
    response = member_client.post(_url(running_event, "questions/"), {"text": "One more"}, **HTMX)
    assert response.status_code == 429
    html = response.content.decode()
    message = (
        "You are going a little fast: this can be done 5 times a minute. Please wait a minute "
        "and try again."
    )
    assert html.count(message) == 1
    assert html.count('id="question-form"') == 1  # in place of the form, which htmx swaps
    assert Question.objects.count() == 5


def test_sixty_first_vote_in_a_minute_is_429(running_event, member, member_client, stopped_clock):
    question = _question(running_event, make_user())
    url = _url(running_event, f"questions/{question.pk}/vote/")
    statuses = [member_client.post(url, **HTMX).status_code for _ in range(61)]
    assert statuses == [200] * 60 + [429]
    question.refresh_from_db()
    assert question.vote_count == 0  # 60 toggles: back where it started


def test_vote_toggles_and_reports_my_votes(running_event, member_client):
    question = _question(running_event, make_user())
    url = _url(running_event, f"questions/{question.pk}/vote/")
    first = member_client.post(url, **HTMX).content.decode()
    second = member_client.post(url, **HTMX).content.decode()
    assert first.count(f'data-my-votes="{question.pk}"') == 1
    assert second.count('data-my-votes=""') == 1
    question.refresh_from_db()
    assert question.vote_count == 0


def test_vote_on_question_of_another_event_is_404(running_event, group, member_client):
    elsewhere = _question(make_event(group=group), make_user())
    url = _url(running_event, f"questions/{elsewhere.pk}/vote/")
    assert member_client.post(url, **HTMX).status_code == 404


def test_moderation_by_a_member_is_404(running_event, member, member_client):
    question = _question(running_event, make_user())
    for action in ("hide", "pin", "answer", "approve"):
        response = member_client.post(_url(running_event, f"questions/{question.pk}/{action}/"))
        assert response.status_code == 404
    question.refresh_from_db()
    assert question.status == Question.Status.VISIBLE


@pytest.mark.parametrize(
    ("action", "field", "expected"),
    [("hide", "status", "hidden"), ("answer", "is_answered", True)],
)
def test_organiser_moderates_over_htmx(running_event, organiser_client, action, field, expected):
    question = _question(running_event, make_user())
    response = organiser_client.post(
        _url(running_event, f"questions/{question.pk}/{action}/"), **HTMX
    )
    assert response.status_code == 200
    question.refresh_from_db()
    assert getattr(question, field) == expected


def test_organiser_sets_stage_and_settings(running_event, talk, organiser_client):
    organiser_client.post(_url(running_event, "stage/"), {"talk": talk.pk}, **HTMX)
    organiser_client.post(_url(running_event, "settings/"), {"premoderate": "on"}, **HTMX)
    organiser_client.post(_url(running_event, "mode/"), {"state": "off"}, **HTMX)
    state = LiveState.objects.get(event=running_event)
    assert (state.current_talk, state.premoderate, state.accepting_questions) == (
        talk,
        True,
        False,
    )


def test_presenter_view_shows_pinned_and_top_questions(running_event, member, organiser):
    pinned = _question(running_event, member, "Pinned for the room")
    _question(running_event, member, "Runner-up")
    services.question_pin(question=pinned, event=running_event, user=organiser)
    html = signed_in(organiser).get(_url(running_event, "presenter/?qa=event")).content.decode()
    assert html.count('id="presenter-stage"') == 1
    assert html.count("Runner-up") == 1
    assert html.count("Pinned for the room") == 1  # on stage, not again in the top list
    assert html.count("view=presenter") == 1


def test_event_page_links_to_live_page_only_while_running(running_event, event):
    live_link = "Live now: Q&amp;A and counts"
    assert Client().get(f"/events/{running_event.slug}/").content.decode().count(live_link) == 1
    assert Client().get(f"/events/{event.slug}/").content.decode().count(live_link) == 0


def test_talk_page_keeps_visible_questions_after_the_event(past_event, member):
    talk = make_talk(event=past_event, slug="archived-talk")
    _question(past_event, member, "Kept for the record", talk=talk, vote_count=3)
    _question(past_event, member, "Hidden forever", talk=talk, status=Question.Status.HIDDEN)
    _question(past_event, member, "Never approved", talk=talk, status=Question.Status.PENDING)
    html = Client().get(f"/talks/{talk.slug}/").content.decode()
    assert html.count("Questions from the room") == 1
    assert html.count("Kept for the record") == 1
    assert (html.count("Hidden forever"), html.count("Never approved")) == (0, 0)


def test_talk_page_links_to_live_qa_before_the_event(event):
    talk = make_talk(event=event, slug="upcoming-talk")
    html = Client().get(f"/talks/{talk.slug}/").content.decode()
    assert html.count(f"/events/{event.slug}/live/?qa=upcoming-talk") == 1


# -- query counts: lists do not grow with their items ----------------------------------------


def _fill(event, n: int, **fields) -> None:
    for i in range(n):
        _question(event, make_user(), f"Question {i}", is_anonymous=bool(i % 2), **fields)


@pytest.mark.parametrize("n", [1, 3])
def test_live_page_queries_do_not_grow_with_questions(
    running_event, organiser, django_assert_num_queries, n
):
    _fill(running_event, n)
    client = signed_in(organiser)
    client.get(_url(running_event, "?qa=event"))  # session, site, etc. warmed up
    # event (+group), talks, live state, session, user, organiser check, questions (+authors),
    # attendance counts, my votes, the footer's group, the on-stage choices
    # members: +2 (the viewer's membership, the event's who-may policy); polls: +1
    with django_assert_num_queries(14):
        assert client.get(_url(running_event, "?qa=event")).status_code == 200


@pytest.mark.parametrize("n", [1, 3])
def test_moderation_queue_queries_do_not_grow(
    running_event, organiser, django_assert_num_queries, n
):
    _fill(running_event, n, status=Question.Status.PENDING)
    _fill(running_event, n, status=Question.Status.HIDDEN)
    client = signed_in(organiser)
    client.get(_url(running_event, "?qa=event"))
    # members: +2 (the viewer's membership, the event's who-may policy); polls: +1
    with django_assert_num_queries(14):
        html = client.get(_url(running_event, "?qa=event")).content.decode()
    assert html.count(f"Waiting for approval ({n})") == 1


@pytest.mark.parametrize("n", [1, 3])
def test_talk_page_qa_queries_do_not_grow(past_event, django_assert_num_queries, n):
    talk = make_talk(event=past_event, slug="counted-talk")
    _fill(past_event, n, talk=talk)
    # talk (+event), speakers, resources (meetups), questions (+authors), polls, site
    with django_assert_num_queries(6):
        Client().get(f"/talks/{talk.slug}/")


# -- API ---------------------------------------------------------------------------------------


def test_api_lists_visible_questions_without_anonymous_authors(running_event, member):
    _question(running_event, member, "Open", vote_count=2)
    _question(running_event, member, "Secret", is_anonymous=True)
    _question(running_event, member, "Gone", status=Question.Status.HIDDEN)
    response = Client().get(f"/api/events/{running_event.slug}/questions")
    assert response.status_code == 200
    body = response.json()
    assert [(q["text"], q["author"], q["votes"]) for q in body] == [
        ("Open", "member", 2),
        ("Secret", None, 0),
    ]


def test_api_create_vote_unvote(running_event, talk, member_client):
    created = member_client.post(
        f"/api/events/{running_event.slug}/questions",
        json.dumps({"text": "Via the API?", "talk": talk.slug}),
        content_type="application/json",
    )
    assert created.status_code == 201
    question_id = created.json()["id"]
    voted = member_client.post(f"/api/questions/{question_id}/vote")
    assert voted.json() == {"voted": True, "votes": 1}
    unvoted = member_client.delete(f"/api/questions/{question_id}/vote")
    assert unvoted.json() == {"voted": False, "votes": 0}


def test_api_question_rate_limit_is_429(running_event, member_client, stopped_clock):
    url = f"/api/events/{running_event.slug}/questions"
    codes = [
        member_client.post(url, json.dumps({"text": f"Q{i}"}), content_type="application/json")
        for i in range(6)
    ]
    assert [r.status_code for r in codes] == [201] * 5 + [429]
    assert codes[-1].json() == {
        "detail": "You are going a little fast: this can be done 5 times a minute. Please wait "
        "a minute and try again.",
        "kind": "rate_limited",
        "field": None,
    }
    assert Question.objects.count() == 5


def test_api_adding_and_taking_back_votes_share_one_budget(
    running_event, member_client, settings, stopped_clock
):
    # An hour-long window: a minute-long one could roll over mid-test and reset the count.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "live.vote": "4/h"}
    question = _question(running_event, make_user())
    url = f"/api/questions/{question.pk}/vote"
    codes = [
        (member_client.post if n % 2 == 0 else member_client.delete)(url).status_code
        for n in range(5)
    ]
    page = member_client.post(_url(running_event, f"questions/{question.pk}/vote/"), **HTMX)
    assert codes == [200, 200, 200, 200, 429]
    assert page.status_code == 429
    question.refresh_from_db()
    assert question.vote_count == 0


def test_api_write_needs_auth(running_event):
    response = Client().post(
        f"/api/events/{running_event.slug}/questions",
        json.dumps({"text": "Anonymous?"}),
        content_type="application/json",
    )
    assert response.status_code == 401


def test_past_event_live_page_is_read_only(group, member_client, member):
    ended = make_event(group=group, starts_in=-timedelta(days=2))
    _question(ended, member, "Archived question")
    html = member_client.get(_url(ended, "?qa=event")).content.decode()
    assert html.count("This Q&amp;A is closed") == 1
    assert html.count("data-vote-for") == 0


def test_admin_hide_action_goes_through_the_service(running_event, member):
    staff = make_user(username="staffer", is_staff=True, is_superuser=True)
    question = _question(running_event, member, "Hide me from the admin")
    client = signed_in(staff)
    response = client.post(
        "/admin/live/question/",
        {"action": "action_question_hide", "_selected_action": [question.pk]},
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == Question.Status.HIDDEN


def test_organiser_sets_talk_premoderation(running_event, talk, organiser_client, member_client):
    url = _url(running_event, f"talks/{talk.slug}/settings/")
    assert member_client.post(url, {"premoderate": "yes"}, **HTMX).status_code == 404
    assert organiser_client.post(url, {"premoderate": "yes"}, **HTMX).status_code == 200
    member_client.post(_url(running_event, "questions/"), {"text": "Q", "qa": talk.slug}, **HTMX)
    assert Question.objects.get().status == Question.Status.PENDING
    html = organiser_client.get(_url(running_event, f"?qa={talk.slug}")).content.decode()
    assert html.count('<option value="yes" selected>') == 1


def test_organiser_reopens_an_answered_question_through_the_page(
    running_event, organiser, organiser_client, member, member_client
):
    """Guards against "reopen" not reaching the service with `answered=False` (the question
    would stay answered, out of the open list and closed to votes)."""
    question = _question(running_event, make_user(), "Answered too soon")
    services.question_mark_answered(question=question, user=organiser)

    response = organiser_client.post(_url(running_event, f"questions/{question.pk}/reopen/"))

    assert (response.status_code, response["Location"]) == (302, _url(running_event))
    page = organiser_client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["Back in the open questions."]
    question.refresh_from_db()
    assert (question.answered_at, question.status) == (None, Question.Status.VISIBLE)
    vote = member_client.post(_url(running_event, f"questions/{question.pk}/vote/"), **HTMX)
    assert vote.status_code == 200
    assert list(question.votes.values_list("user", flat=True)) == [member.pk]


def test_organiser_reopens_over_htmx_with_the_status_line(
    running_event, organiser, organiser_client
):
    question = _question(running_event, make_user(), "Answered too soon")
    services.question_mark_answered(question=question, user=organiser)

    response = organiser_client.post(
        _url(running_event, f"questions/{question.pk}/reopen/"), **HTMX
    )

    assert response.status_code == 200
    assert response.content.decode().count("Back in the open questions.") == 1
    question.refresh_from_db()
    assert question.is_answered is False


def test_hiding_a_question_offers_undo_in_place(running_event, organiser_client):
    """Guards: after "Hide" nothing in view offered it back (Restore sat in a collapsed list),
    a destructive action without undo (#15). The answer carries an Undo that restores."""
    question = _question(running_event, make_user())
    restore = _url(running_event, f"questions/{question.pk}/restore/")

    hidden = organiser_client.post(_url(running_event, f"questions/{question.pk}/hide/"), **HTMX)
    html = hidden.content.decode()
    undone = organiser_client.post(restore, **HTMX)

    assert hidden.status_code == 200
    assert f'hx-post="{restore}"' in html
    assert "data-focus-after-swap>Undo hiding</button>" in html
    assert undone.status_code == 200
    assert "Undo hiding" not in undone.content.decode()
    question.refresh_from_db()
    assert question.status == Question.Status.VISIBLE
