"""The event dashboard: panels, quick actions, live broadcasts, summary, exports, query counts."""

import asyncio
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from live.hub import hub
from live.models import LiveState, Question
from live.topics import counts_key, event_group
from organise import charts, selectors, services
from organise.receivers import dashboard_fragments
from rsvp.models import Rsvp, RsvpSettings
from rsvp.services import rsvp_create
from tests import factories
from tests.organise.data import build_world, rsvp

pytestmark = pytest.mark.django_db

EV = {"group": "sydjango", "event": "november"}
HTMX = {"HTTP_HX_REQUEST": "true"}
DASHBOARD = reverse("organise:dashboard", kwargs=EV)


def _panel(name: str) -> str:
    return reverse("organise:panel", kwargs={**EV, "name": name})


def _add_people(w, n: int) -> None:
    """n more going people (one checked in, one with a guest) and n more questions."""
    w.event.capacity = 100
    w.event.save()
    for i in range(n):
        user = factories.make_user()
        rsvp(w.event, user, guests=i % 2, checked_in=i % 2 == 0, days_ago=i)
        Question.objects.create(event=w.event, author=user, text=f"Question {i}?", vote_count=i)


# A refusal in Quick actions: focus goes to it (portal/a11y.js) after the swap.
PUBLISH_FIRST = (
    '<p class="font-medium text-red-800" tabindex="-1" data-focus-after-swap>'
    "Publish the event first.</p>"
)


def _count(client, url: str, **extra) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, **extra).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [DASHBOARD, *[_panel(n) for n in ("rsvps", "door", "qa", "lineup", "actions", "summary")]],
)
def test_dashboard_queries_do_not_grow_with_attendees_and_questions(client, url):
    w = build_world()
    client.force_login(w.co_organiser)
    _add_people(w, 1)
    one = _count(client, url, **HTMX)
    _add_people(w, 2)
    three = _count(client, url, **HTMX)
    assert one == three


def test_dashboard_query_budget(client, django_assert_max_num_queries):
    w = build_world()
    _add_people(w, 3)
    client.force_login(w.co_organiser)
    # 21: the organiser's own votes (for the vote buttons' pressed state) came with issue #15.
    # 23: members (#12) reads the viewer's membership and the event's who-may policy.
    with django_assert_max_num_queries(23):
        assert client.get(DASHBOARD).status_code == 200


def test_rsvp_panel_shows_going_guests_waitlist_and_capacity(client):
    w = build_world()
    client.force_login(w.owner)
    body = client.get(_panel("rsvps"), **HTMX).content.decode()
    assert 'data-stat="going">2</dd>' in body
    assert 'data-stat="guests">1</dd>' in body
    assert 'data-stat="waitlisted">1</dd>' in body
    assert 'data-stat="seats-left">0</dd>' in body
    assert "of 2 seats" in body


# A second before midnight in the events' zone (Australia/Sydney), with the clock stopped: the
# RSVPs made "today" and the test's own "today" are the same day. On the wall clock, a run that
# crossed midnight between making the RSVPs and reading the chart labelled a different day.
BEFORE_MIDNIGHT = datetime(2026, 11, 30, 23, 59, 59, tzinfo=ZoneInfo("Australia/Sydney"))


def test_rsvp_panel_chart_has_a_table_of_the_same_numbers(client):
    with time_machine.travel(BEFORE_MIDNIGHT, tick=False):
        _check_rsvp_panel_chart_table(client)


def _check_rsvp_panel_chart_table(client):
    w = build_world()
    client.force_login(w.owner)
    body = client.get(_panel("rsvps"), **HTMX).content.decode()
    today = BEFORE_MIDNIGHT.date()
    two_days_ago = today - timedelta(days=2)
    assert 'role="img" aria-labelledby="rsvp-chart-title rsvp-chart-desc"' in body
    assert "Line: the running total, now 3." in body
    assert (
        f'<th scope="row" class="py-1 font-normal">{two_days_ago:%a %-d %b}</th>'
        '<td class="py-1 text-right">2</td><td class="py-1 text-right">2</td>'
    ) in body
    assert (
        f'<th scope="row" class="py-1 font-normal">{today:%a %-d %b}</th>'
        '<td class="py-1 text-right">1</td><td class="py-1 text-right">3</td>'
    ) in body


def test_rsvp_timeline_counts_people_per_day_with_running_total():
    w = build_world()
    points = selectors.rsvp_timeline(event=w.event)
    assert [(p.new, p.total) for p in points] == [(2, 2), (1, 3)]


def test_rsvp_chart_scales_to_capacity():
    w = build_world()
    chart = charts.rsvp_chart(selectors.rsvp_timeline(event=w.event), capacity=40)
    assert (chart.y_max, len(chart.bars), chart.capacity_y) == (50, 2, 40.0)


def test_door_panel_counts_checked_in_against_going(client):
    w = build_world()
    client.force_login(w.owner)
    body = client.get(_panel("door"), **HTMX).content.decode()
    totals = body[body.index('<dl id="check-in-totals"') :]
    assert (
        '<dd id="door-total-checked-in" class="text-2xl font-bold tabular-nums text-brand-900">'
        "2</dd>" in totals
    )
    assert "100% here · 0 still to come" in body
    assert "Mia Member +1" in body


def test_qa_panel_shows_the_queue_and_top_questions(client):
    w = build_world()
    Question.objects.create(event=w.event, author=w.member, text="Waiting one?", status="pending")
    client.force_login(w.owner)
    body = client.get(_panel("qa"), **HTMX).content.decode()
    assert "Waiting for approval (1)" in body
    assert "Waiting one?" in body
    assert "Leaky question?" in body
    assert "Across the event: 2 asked, 0 answered, 1 waiting for approval." in body


def test_lineup_panel_shows_agenda_and_proposal_votes(client):
    w = build_world()
    client.force_login(w.owner)
    body = client.get(_panel("lineup"), **HTMX).content.decode()
    assert "Async Django" in body
    assert "Sam Speaker" in body
    assert "1 vote</span>" in body
    assert 'Secret proposal</a> <span class="text-stone-600">· 20 min</span></td>' in body


def test_panel_without_htmx_is_a_page_of_its_own(client):
    w = build_world()
    client.force_login(w.owner)
    body = client.get(_panel("door")).content.decode()
    assert "<!DOCTYPE html>" in body
    assert 'id="panel-door"' in body


def test_panel_unknown_name_answers_404(client):
    w = build_world()
    client.force_login(w.owner)
    assert client.get(_panel("secrets")).status_code == 404


def test_action_close_then_open_rsvps(client):
    w = build_world()
    client.force_login(w.co_organiser)
    url = reverse("organise:action_rsvps", kwargs=EV)
    closed = client.post(url, {"state": "closed"}, **HTMX)
    w.event.refresh_from_db()
    assert closed.status_code == 200
    assert "RSVPs are closed." in closed.content.decode()
    assert w.event.rsvp_settings.closes_at <= timezone.now()
    opened = client.post(url, {"state": "open"}, **HTMX)
    settings = RsvpSettings.objects.get(event=w.event)
    assert "RSVPs are open." in opened.content.decode()
    assert settings.closes_at is None


def test_action_open_rsvps_on_a_draft_is_refused(client):
    w = build_world()
    client.force_login(w.owner)
    url = reverse("organise:action_rsvps", kwargs={**EV, "event": "secret-draft"})
    response = client.post(url, {"state": "open"}, **HTMX)
    # A conflict with the event's state: 409, as the API answers the same refusal.
    assert response.status_code == 409
    assert PUBLISH_FIRST in (response.content.decode())
    assert not RsvpSettings.objects.filter(event=w.draft).exists()


def test_action_refused_without_htmx_shows_the_panel_with_its_status(client):
    w = build_world()
    client.force_login(w.owner)
    url = reverse("organise:action_rsvps", kwargs={**EV, "event": "secret-draft"})
    response = client.post(url, {"state": "open"})
    body = response.content.decode()
    assert response.status_code == 409
    assert ["<!DOCTYPE html>" in body, 'id="panel-actions"' in body] == [True, True]
    assert PUBLISH_FIRST in body
    assert not RsvpSettings.objects.filter(event=w.draft).exists()


def test_action_bad_state_changes_nothing(client):
    w = build_world()
    client.force_login(w.owner)
    response = client.post(reverse("organise:action_rsvps", kwargs=EV), {"state": "x"}, **HTMX)
    assert response.status_code == 422
    assert not RsvpSettings.objects.filter(event=w.event).exists()


def test_action_live_mode_stops_and_starts_questions(client):
    w = build_world()
    client.force_login(w.owner)
    url = reverse("organise:action_live", kwargs=EV)
    client.post(url, {"state": "off"}, **HTMX)
    assert LiveState.objects.get(event=w.event).accepting_questions is False
    client.post(url, {"state": "on"}, **HTMX)
    assert LiveState.objects.get(event=w.event).accepting_questions is True


def test_action_current_talk_sets_the_stage(client):
    w = build_world()
    client.force_login(w.owner)
    url = reverse("organise:action_current_talk", kwargs=EV)
    response = client.post(url, {"talk": w.talk.pk}, **HTMX)
    assert "On stage: Async Django." in response.content.decode()
    assert LiveState.objects.get(event=w.event).current_talk == w.talk


def test_action_current_talk_of_another_event_is_refused(client):
    w = build_world()
    elsewhere = factories.make_talk(event=w.other_event)
    client.force_login(w.owner)
    url = reverse("organise:action_current_talk", kwargs=EV)
    response = client.post(url, {"talk": elsewhere.pk}, **HTMX)
    assert response.status_code == 422
    assert not LiveState.objects.filter(event=w.event).exists()


def test_summary_after_the_event(client):
    w = build_world()
    no_show = factories.make_user(username="noshow")
    w.event.capacity = 10
    w.event.save()
    rsvp(w.event, no_show, guests=2)
    Question.objects.create(
        event=w.event, author=w.member, text="Done?", answered_at=timezone.now()
    )
    summary = selectors.event_summary(event=w.event)
    assert (summary.rsvps, summary.no_shows, summary.no_show_people) == (2, 1, 3)
    assert (summary.counts["going"], summary.counts["checked_in"]) == (5, 2)
    assert summary.questions == {"asked": 2, "answered": 1, "pending": 0, "hidden": 0}
    assert [(t.title, t.proposal_votes) for t in summary.top_talks] == [("Async Django", 1)]


def test_dashboard_of_a_past_event_leads_with_the_summary(client):
    w = build_world()
    past = factories.make_event(group=w.group, slug="long-ago", starts_in=-timedelta(days=10))
    client.force_login(w.owner)
    body = client.get(reverse("organise:dashboard", kwargs={**EV, "event": past.slug})).content
    body = body.decode()
    assert body.index("After the event") < body.index('id="panel-rsvps"')


def test_export_questions_csv_defuses_formulas(client):
    w = build_world()
    Question.objects.create(event=w.event, author=w.member, text='=HYPERLINK("http://x")')
    client.force_login(w.owner)
    response = client.get(reverse("organise:export", kwargs={**EV, "what": "questions"}))
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert response["Content-Disposition"] == 'attachment; filename="november-questions.csv"'
    assert lines[0] == "talk,question,asked_by,anonymous,status,votes,asked_at,answered_at"
    assert lines[2].startswith('(whole event),"\'=HYPERLINK(""http://x"")",member,no,visible,0,')


def test_export_attendees_csv_is_the_rsvp_apps_in_the_event_zone(client):
    w = build_world()
    w.member.first_name = "=Mia"
    w.member.save()
    w.event.time_zone = "Europe/Berlin"  # neither UTC nor the server's zone (Sydney)
    w.event.save()
    client.force_login(w.owner)
    response = client.get(reverse("organise:export", kwargs={**EV, "what": "attendees"}))
    lines = b"".join(response.streaming_content).decode().splitlines()

    def local(value):
        return timezone.localtime(value, w.event.tzinfo).replace(microsecond=0).isoformat()

    going = Rsvp.objects.get(event=w.event, user=w.member)
    waiting = Rsvp.objects.get(event=w.event, user=w.speaker_user)
    assert response["Content-Disposition"] == 'attachment; filename="november-attendees.csv"'
    assert lines == [
        "name,username,email,status,guests,seats,rsvp_at,checked_in_at",
        f"'=Mia Member,member,member@example.com,going,1,2,{local(going.created_at)},"
        f"{local(going.checked_in_at)}",
        # No display name: the username stands in, never an empty name column.
        f"speaker,speaker,speaker@example.com,waitlisted,0,1,{local(waiting.created_at)},",
    ]
    assert local(going.created_at).endswith(("+01:00", "+02:00"))


def test_export_unknown_kind_answers_404(client):
    w = build_world()
    client.force_login(w.owner)
    assert client.get("/organise/sydjango/november/export/passwords.csv").status_code == 404


def _receive(layer, channel):
    async def receive():
        try:
            return await asyncio.wait_for(layer.receive(channel), timeout=0.5)
        except TimeoutError:
            return None

    return async_to_sync(receive)()


def test_rsvp_sends_one_counts_broadcast_that_leaves_the_dashboard_fragments_to_dashboards(
    django_capture_on_commit_callbacks,
):
    w = build_world()
    w.event.capacity = 10
    w.event.save()
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(event_group(w.event.pk), channel)
    newcomer = factories.make_user(username="newcomer")
    with django_capture_on_commit_callbacks(execute=True):
        rsvp_create(event=w.event, user=newcomer, guests=1)
    messages = []
    while (message := _receive(layer, channel)) is not None:
        messages.append(message)
    counts = [m for m in messages if m["key"] == counts_key(w.event.pk)]
    assert len(counts) == 1  # one publish per change, live's and ours together
    frames = counts[0]["frames"]
    assert sorted(frames) == ["*", "dashboard", "presenter"]  # the projector: no counts
    # Not rendered by the RSVP's process: each process holding a dashboard renders it.
    assert frames["dashboard"] == ""
    here = counts[0]["here"]
    assert here == {
        "render": "counts", "event_id": w.event.pk, "audiences": ["dashboard"], "detail": True
    }  # fmt: skip
    # What such a process renders for it (tests/live/test_hub_here.py: when, and who gets it).
    render, _window = hub.renderers_here[here["render"]]
    dashboard = render(event_id=here["event_id"], audiences=here["audiences"], detail=True)
    dashboard = dashboard["dashboard"]
    assert 'id="organise-rsvp-numbers" hx-swap-oob="innerHTML"' in dashboard
    assert 'data-stat="going">4</dd>' in dashboard
    assert 'id="organise-door" hx-swap-oob="innerHTML"' in dashboard
    # Only the dashboard's own ids: live's #live-counts is not on the dashboard (htmx logged
    # oobErrorNoTarget for it on every load).
    assert dashboard.count('id="live-counts"') == 0
    assert "organise-rsvp-numbers" not in frames["*"]


def test_closing_rsvps_re_broadcasts_the_events_counts(django_capture_on_commit_callbacks):
    """Guards against the quick action's broadcast naming no event (or none being sent): open
    dashboards would keep showing RSVPs as open."""
    w = build_world()
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(event_group(w.event.pk), channel)
    with django_capture_on_commit_callbacks(execute=True):
        services.rsvp_window_close(event=w.event, user=w.owner)
    messages = []
    while (message := _receive(layer, channel)) is not None:
        messages.append(message)
    assert [m["key"] for m in messages] == [counts_key(w.event.pk)]
    assert sorted(messages[0]["frames"]) == ["*", "dashboard", "presenter"]
    # Dashboards re-render their panels, without the chart (the window cannot move it).
    assert messages[0]["here"]["audiences"] == ["dashboard"]
    assert messages[0]["here"]["detail"] is False


def test_dashboard_fragments_for_a_deleted_event_are_empty():
    assert dashboard_fragments(event_id=999999) == ""


def test_summary_of_an_archived_event_uses_its_recorded_attendance():
    w = build_world()
    archived = factories.make_event(
        group=w.group, starts_in=-timedelta(days=400), recorded_attendance=57
    )
    summary = selectors.event_summary(event=archived)
    assert (summary.attendance, summary.no_shows, summary.counts["going"]) == (57, 0, 0)


def test_dashboard_chart_goes_out_at_most_every_two_seconds_during_a_rush():
    w = build_world()
    sent = []
    # The throttle remembers events by id for the life of the process, and an earlier test (or
    # an earlier run in the same process) may have sent this id's chart on the monotonic clock
    # or on these very instants: start later than any of those.
    start = time.monotonic() + 1e9
    for now in (start, start + 0.5, start + 1.9, start + 2.1):
        frame = dashboard_fragments(event_id=w.event.pk, now=now)
        sent.append(["organise-rsvp-numbers" in frame, "organise-rsvp-chart" in frame])
    assert sent == [[True, True], [True, False], [True, False], [True, True]]
