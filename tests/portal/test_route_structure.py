"""Every route, walked: each write needs authentication and CSRF (or a bearer token on the API),
and each organiser route answers a member of the public with its predicate's 404 or 403 and
writes nothing. A new route fails here until it is put in one of the lists below, so nobody
adds a page or an API write without deciding who may use it."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cfp.models import CallForTalks, Proposal, ProposalSpeaker, TalkIdea
from live.models import Poll, PollOption, Question
from members.models import Membership
from organise.models import OrganiserInvitation
from portal.api import api
from portal.api_auth import session_auth, token_auth
from portal.models import ApiToken
from rsvp.models import Rsvp
from tests import factories

OUR_APPS = (
    "meetups", "rsvp", "cfp", "live", "organise", "portal", "reminders", "notify", "members",
    "feedback",
)  # fmt: skip

# Anyone may read these; a POST (where a route takes one) still needs a signed-in member.
PUBLIC = {
    "home", "meetups:event_archive", "meetups:event_detail", "meetups:event_ics",
    "meetups:talk_detail", "meetups:speaker_detail", "meetups:group_detail", "meetups:group_ics",
    "cfp:idea_board", "cfp:idea_detail", "cfp:voting", "cfp:voting_tallies", "cfp:invitation",
    "cfp:speaker_photo", "rsvp:panel", "live:live_page", "healthz", "readyz",
    "live:presenter",  # the projector: the current talk and approved questions only
    "live:join", "live:join_code", "meetups:talk_resource_file",
    "notify:unsubscribe",  # the signed token is the permission (no login, no CSRF: RFC 8058)
}  # fmt: skip
# Signed-in members only (their own things).
MEMBER = {
    "cfp:idea_vote", "cfp:idea_delete", "cfp:proposal_create", "cfp:my_proposals",
    "cfp:proposal_detail", "cfp:proposal_edit", "cfp:proposal_withdraw", "cfp:proposal_vote",
    "cfp:proposal_resubmit",
    "cfp:co_speaker_invite", "cfp:co_speaker_remove", "cfp:speaker_profile", "rsvp:create",
    "rsvp:guests", "rsvp:cancel", "rsvp:my_events", "rsvp:ticket", "live:question_create",
    "live:question_vote", "live:poll_vote", "organise:index", "organise:invitation_accept",
    "profile",
    "token_create", "token_revoke", "time_zone_save", "data_export", "account_delete",
    "notify:preferences", "notify:preferences_update",
    "members:join", "members:leave", "members:listed", "members:member_list",
    "feedback:talk_feedback",  # rate (who was there); read (its speakers, organisers)
}  # fmt: skip
# The group's organisers only: everyone else gets 404 (or 403) and nothing changes.
ORGANISER = {
    "cfp:review_list", "cfp:review_detail", "cfp:review_score", "cfp:review_decide",
    "cfp:review_schedule", "cfp:lineup", "cfp:settings", "rsvp:check_in", "rsvp:check_in_toggle",
    "rsvp:attendees", "rsvp:attendees_csv", "rsvp:ticket_check_in", "live:question_moderate",
    "live:stage_update", "live:settings_update", "live:mode_update", "rsvp:door_admit",
    "rsvp:door_walk_in", "rsvp:door_scan",
    "live:talk_settings_update", "organise:group", "organise:event_create", "organise:organisers",
    "organise:organiser_invite", "organise:organiser_remove", "organise:invitation_revoke",
    "organise:dashboard", "organise:event_edit", "organise:event_publish", "organise:event_cancel",
    "organise:event_duplicate", "organise:panel", "organise:action_rsvps", "organise:action_live",
    # The talk's speakers too (meetups.rules.can_edit_talk_resources); strangers get 404.
    "meetups:talk_resources", "meetups:talk_link_add", "meetups:talk_slides_upload",
    "meetups:talk_resource_delete",
    "organise:action_current_talk", "organise:message", "organise:export",
    "organise:members", "organise:group_policy", "organise:member_remove", "organise:member_ban",
    "organise:member_unban", "organise:event_policy",
    "reminders:event_reminders",
    "notify:announcements",
    # The current talk's speakers too (live.rules.can_run_poll); strangers get 404.
    "live:poll_manage", "live:polls_csv", "live:poll_action",
}  # fmt: skip
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Mail clients unsubscribe with one POST and no cookie (RFC 8058): the signed token in the URL
# is the only permission, and a token that is not valid answers 400 and changes nothing.
CSRF_EXEMPT = {"notify:unsubscribe"}


def _our_routes(patterns=None, namespace=None):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in ("admin", "api") or entry.app_name == "admin":
                continue
            yield from _our_routes(entry.url_patterns, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and entry.callback.__module__.split(".")[0] in OUR_APPS:
            yield (f"{namespace}:" if namespace else "") + entry.name, entry.callback


def test_every_route_is_classified():
    names = {name for name, _ in _our_routes()}
    assert names - (PUBLIC | MEMBER | ORGANISER) == set()
    assert PUBLIC & MEMBER == PUBLIC & ORGANISER == MEMBER & ORGANISER == set()


def test_no_route_is_csrf_exempt():
    exempt = {name for name, view in _our_routes() if getattr(view, "csrf_exempt", False)}
    assert exempt == CSRF_EXEMPT


# --- pages, exercised ----------------------------------------------------------------------


@pytest.fixture
def world(db):
    """One of everything a route can name, each under the slug "x", "t" or its own pk."""
    owner = factories.make_user(username="owner")
    speaker_user = factories.make_user(username="speaker")
    group = factories.make_group(slug="x", owner=owner)
    event = factories.make_event(group=group, slug="x", starts_in=timedelta(days=3))
    speaker = factories.make_speaker(slug="x", user=speaker_user)
    factories.make_talk(event=event, slug="x", speakers=[speaker])
    CallForTalks.objects.create(group=group)
    idea = TalkIdea.objects.create(group=group, title="An idea", author=speaker_user)
    proposal = Proposal.objects.create(
        group=group, submitter=speaker_user, title="A talk", abstract="About it.", length_minutes=20
    )
    co_speaker = ProposalSpeaker.objects.create(
        proposal=proposal, email="co@example.com", token="t"
    )
    rsvp = Rsvp.objects.create(
        event=event, user=speaker_user, status=Rsvp.Status.GOING, queued_at=event.starts_at,
        ticket_token="t",
    )  # fmt: skip
    question = Question.objects.create(event=event, author=speaker_user, text="Why?")
    poll = Poll.objects.create(event=event, question="Which one?")
    PollOption.objects.bulk_create(
        [PollOption(poll=poll, text=text, position=i) for i, text in enumerate(["A", "B"])]
    )
    co_organiser = factories.make_user(username="co-organiser")
    group.organisers.add(co_organiser)
    invitation = OrganiserInvitation.objects.create(group=group, email="new@example.com", token="t")
    token = ApiToken.objects.create(user=speaker_user, name="script", token_hash="0" * 64)
    membership = Membership.objects.create(
        group=group, user=factories.make_user(username="banned"), state="banned",
        banned_at=event.starts_at,
    )  # fmt: skip
    pks = {
        "cfp:idea": idea.pk, "cfp:proposal": proposal.pk, "cfp:co_speaker": proposal.pk,
        "cfp:review": proposal.pk, "rsvp": rsvp.pk, "live:poll": poll.pk, "live": question.pk,
        "organise:invitation": invitation.pk,
    }  # fmt: skip
    return {"group": group, "owner": owner, "pks": pks, "token": token,
            "invitation_pk": co_speaker.pk, "user_id": co_organiser.pk,
            "membership_id": membership.pk}  # fmt: skip


def _kwargs(name: str, view, world) -> dict:
    pattern = next(p for n, p in _patterns() if n == name)
    pk = next((v for prefix, v in world["pks"].items() if name.startswith(prefix)), 1)
    values = {
        "slug": "x", "event_slug": "x", "talk_slug": "x", "group": "x", "event": "x", "token": "t",
        "pk": pk, "invitation_pk": world["invitation_pk"], "user_id": world["user_id"],
        "token_id": world["token"].pk, "name": "rsvps", "what": "attendees", "action": "hide",
        "code": "x", "membership_id": world["membership_id"],
    }  # fmt: skip
    if name == "live:poll_action":
        values["action"] = "open"
    return {key: values[key] for key in pattern.converters}


def _patterns(patterns=None, namespace=None):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in ("admin", "api") or entry.app_name == "admin":
                continue
            yield from _patterns(entry.url_patterns, entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}:" if namespace else "") + str(entry.name), entry.pattern


def _rows() -> dict[str, int]:
    """How many rows each of the portal's models has: a write anywhere changes it."""
    return {
        model._meta.label: model._default_manager.count()
        for app in OUR_APPS
        for model in apps.get_app_config(app).get_models()
    }


def _csrf_client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    client.defaults["HTTP_X_CSRFTOKEN"] = _mask_cipher_secret(secret)
    return client


def _url(name, view, world) -> str:
    return reverse(name, kwargs=_kwargs(name, view, world))


def test_anonymous_writes_change_nothing(world):
    before = _rows()
    client = _csrf_client()
    answers = {}
    for name, view in _our_routes():
        response = client.post(_url(name, view, world), {"text": "x", "title": "x"})
        answers[name] = response.status_code
        if response.status_code == 302:
            assert response.url.startswith(reverse("account_login")), (name, response.url)
    assert {name: code for name, code in answers.items() if code < 300} == {}
    assert _rows() == before


def test_writes_without_a_csrf_token_are_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["owner"])
    before = _rows()
    refused = {
        name: client.post(_url(name, view, world)).status_code for name, view in _our_routes()
    }
    assert {name: code for name, code in refused.items() if code != 403} == dict.fromkeys(
        CSRF_EXEMPT, 400
    )
    assert _rows() == before


# What each organiser route answers its organiser: (GET, POST with an empty form, where the POST
# redirects). Exact, so a route that starts answering differently (a 500, a form that suddenly
# validates, a redirect elsewhere) is noticed; 405 is the method the route does not take.
ORGANISER_ANSWERS = {
    "cfp:review_list": (200, 405, None),
    "cfp:review_detail": (200, 405, None),
    "cfp:review_score": (405, 302, "/groups/x/review/{proposal}/"),
    "cfp:review_decide": (405, 422, None),
    "cfp:review_schedule": (405, 422, None),
    "cfp:lineup": (200, 422, None),
    "cfp:settings": (200, 422, None),
    "rsvp:check_in": (200, 405, None),
    "rsvp:check_in_toggle": (405, 302, "/events/x/check-in/"),
    "rsvp:attendees": (200, 405, None),
    "rsvp:attendees_csv": (200, 405, None),
    "rsvp:ticket_check_in": (200, 302, "/check-in/t/t/"),
    "live:question_moderate": (405, 302, "/events/x/live/"),
    "live:stage_update": (405, 302, "/events/x/live/"),
    "live:settings_update": (405, 302, "/events/x/live/"),
    "live:mode_update": (405, 302, "/events/x/live/"),
    "rsvp:door_admit": (405, 302, "/events/x/check-in/"),
    "rsvp:door_walk_in": (405, 422, None),
    "rsvp:door_scan": (405, 422, None),
    "live:talk_settings_update": (405, 302, "/events/x/live/"),
    "organise:group": (200, 405, None),
    "organise:event_create": (200, 422, None),
    "organise:organisers": (200, 405, None),
    "organise:organiser_invite": (405, 422, None),
    "organise:organiser_remove": (405, 302, "/organise/x/organisers/"),
    "organise:invitation_revoke": (405, 302, "/organise/x/organisers/"),
    "organise:dashboard": (200, 405, None),
    "organise:event_edit": (200, 422, None),
    "organise:event_publish": (405, 302, "/organise/x/x/"),
    "organise:event_cancel": (200, 422, None),
    "organise:event_duplicate": (200, 422, None),
    "organise:panel": (200, 405, None),
    "organise:action_rsvps": (405, 422, None),
    "organise:action_live": (405, 422, None),
    "organise:action_current_talk": (405, 302, "/organise/x/x/"),
    "organise:message": (200, 422, None),
    "organise:export": (200, 405, None),
    "organise:members": (200, 405, None),
    "organise:group_policy": (405, 422, None),
    # The world's membership is a ban: remove refuses it (a message), ban renews, unban lifts.
    "organise:member_remove": (405, 302, "/organise/x/members/"),
    "organise:member_ban": (405, 302, "/organise/x/members/"),
    "organise:member_unban": (405, 302, "/organise/x/members/"),
    "organise:event_policy": (200, 302, "/organise/x/x/who-may-take-part/"),
    "meetups:talk_resources": (200, 405, None),
    "meetups:talk_link_add": (405, 422, None),
    "meetups:talk_slides_upload": (405, 422, None),
    "meetups:talk_resource_delete": (405, 422, None),
    # An empty form is a valid one: no reminders for this event.
    "reminders:event_reminders": (200, 302, "/organise/x/x/reminders/"),
    "notify:announcements": (200, 422, None),
    "live:poll_manage": (200, 422, None),
    "live:polls_csv": (200, 405, None),
    # The world's poll is a prepared one with two options: opening it is a valid action.
    "live:poll_action": (405, 302, "/events/x/live/polls/"),
}


def test_every_organiser_route_has_its_answers_written_down():
    assert set(ORGANISER_ANSWERS) == ORGANISER


def test_organiser_routes_refuse_a_member_and_change_nothing(world):
    """Anyone but the group's organisers gets the predicate's 404 (405 where the route does not
    take the method at all, before any rule is asked) and nothing is written."""
    stranger = factories.make_user(username="stranger")
    client = _csrf_client(stranger)
    before = _rows()
    answers, expected = {}, {}
    for name, view in _our_routes():
        if name in ORGANISER:
            url = _url(name, view, world)
            answers[name] = (client.get(url).status_code, client.post(url, {}).status_code)
            get, post, _target = ORGANISER_ANSWERS[name]
            expected[name] = (405 if get == 405 else 404, 405 if post == 405 else 404)
    assert answers == expected
    assert _rows() == before


def test_organiser_routes_found_by_their_organiser(world):
    """The refusals above are the predicate's, not missing objects: the owner gets through, and
    each route answers exactly what it should (redirects included, with their target)."""
    client = _csrf_client(world["owner"])
    answers = {}
    for name, view in _our_routes():
        if name in ORGANISER:
            url = _url(name, view, world)
            get, post = client.get(url), client.post(url, {})
            answers[name] = (get.status_code, post.status_code, post.get("Location"))
    proposal = str(world["pks"]["cfp:review"])
    expected = {
        name: (get, post, target and target.replace("{proposal}", proposal))
        for name, (get, post, target) in ORGANISER_ANSWERS.items()
    }
    assert answers == expected


# --- the API --------------------------------------------------------------------------------


def _api_operations():
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    yield method, path, operation


def test_every_api_write_requires_a_token_or_a_session_with_csrf():
    writes = [(m, p, op) for m, p, op in _api_operations() if m in WRITE_METHODS]
    assert len(writes) >= 15
    for method, path, operation in writes:
        assert operation.auth_callbacks == [token_auth, session_auth], (method, path)
    assert session_auth.csrf is True


@pytest.mark.django_db
def test_api_writes_refuse_anonymous_and_csrf_less_sessions(member):
    anonymous = _csrf_client()  # a valid CSRF token but nobody signed in: 401
    session = Client(enforce_csrf_checks=True)  # signed in but no CSRF token: 403
    session.force_login(member)
    codes = {}
    for method, path, _operation in _api_operations():
        if method not in WRITE_METHODS:
            continue
        url = "/api" + path.replace("{slug}", "x").replace("{event_slug}", "x")
        url = url.replace("{", "").replace("}", "")  # any other parameter: its name as value
        call = getattr(anonymous, method.lower())
        codes[(method, path)] = (
            call(url, content_type="application/json").status_code,
            getattr(session, method.lower())(url, content_type="application/json").status_code,
        )
    assert {key: c for key, c in codes.items() if c != (401, 403)} == {}
