"""Publishing an event emails the members who want new events: once per event, ever."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from meetups.models import Event
from notify.models import EventAnnounced
from notify.services import event_announce, preference_set
from notify.tasks import send_event_published
from organise.services import event_publish, event_unpublish
from organise.services.events import event_update
from tests import factories


@pytest.fixture
def draft(group):
    return factories.make_event(
        group=group,
        status=Event.Status.DRAFT,
        title="Async Django night",
        time_zone="Australia/Perth",
        starts_at=datetime(2031, 3, 4, 10, 30, tzinfo=UTC),
    )


def _recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_publish_emails_members_who_want_events(draft, organiser, members, group):
    first, second, third = members
    preference_set(user=second, group=group, category="events", enabled=False)
    factories.make_user()  # not a member: not emailed
    event_publish(event=draft, user=organiser)
    assert _recipients() == sorted([first.email, third.email])
    message = mail.outbox[0]
    assert message.subject == "New event: Async Django night"
    assert EventAnnounced.objects.filter(event=draft).count() == 1


def test_publish_email_has_unsubscribe_headers_and_footer(draft, organiser, members, group):
    event_publish(event=draft, user=organiser)
    message = next(m for m in mail.outbox if m.to == [members[0].email])
    headers = message.message()
    unsubscribe = headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://") and unsubscribe.endswith("/>")
    url = unsubscribe[1:-1]
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"Unsubscribe from new events of {group.name}: {url}\n" in message.body
    html, _ = message.alternatives[0]
    assert f'href="{url}"' in html
    assert "When: Tuesday 4 March 2031, 6:30 PM\u20138:30 PM AWST\n" in message.body
    assert "<strong>When:</strong> Tuesday 4 March 2031, 6:30 PM\u20138:30 PM AWST</p>" in html


def test_publish_once_even_after_edit_unpublish_and_republish(draft, organiser, members):
    event_publish(event=draft, user=organiser)
    assert len(mail.outbox) == 3
    event_update(
        event=draft,
        user=organiser,
        fields=factories.event_fields(draft, title="Async Django night!"),
    )
    event_unpublish(event=draft, user=organiser)
    event_publish(event=draft, user=organiser)
    draft.save()
    assert len(mail.outbox) == 3
    assert EventAnnounced.objects.count() == 1


def test_event_announce_twice_queues_once(group, members):
    event = factories.make_event(group=group)
    assert event_announce(event=event) is True
    assert event_announce(event=event) is False
    assert len(mail.outbox) == 3


def test_past_or_draft_event_is_not_announced(group, members):
    past = factories.make_event(group=group, starts_in=-timedelta(days=3))
    draft = factories.make_event(group=group, status=Event.Status.DRAFT)
    assert event_announce(event=past) is False
    assert event_announce(event=draft) is False
    assert mail.outbox == []
    assert EventAnnounced.objects.count() == 0


def test_task_for_an_event_unpublished_meanwhile_sends_nothing_and_frees_the_marker(group, members):
    event = factories.make_event(group=group, status=Event.Status.DRAFT)
    EventAnnounced.objects.create(event=event)
    assert send_event_published.call(event.pk) == 0
    assert mail.outbox == []
    assert EventAnnounced.objects.count() == 0
    cancelled = factories.make_event(group=group, status=Event.Status.CANCELLED)
    EventAnnounced.objects.create(event=cancelled)
    assert send_event_published.call(cancelled.pk) == 0
    assert EventAnnounced.objects.filter(event=cancelled).count() == 1
    assert send_event_published.call(999999) == 0


def test_publish_without_members_announces_nobody(draft, organiser):
    event_publish(event=draft, user=organiser)
    assert mail.outbox == []
    assert EventAnnounced.objects.filter(event=draft).count() == 1


def _admin_form(event: Event, **changes) -> dict:
    local = event.starts_at.astimezone(ZoneInfo("Australia/Sydney"))
    ends = local + timedelta(hours=2)
    data = {
        "group": event.group_id,
        "title": event.title,
        "slug": event.slug,
        "starts_at_0": local.date().isoformat(),
        "starts_at_1": local.time().isoformat(),
        "ends_at_0": ends.date().isoformat(),
        "ends_at_1": ends.time().isoformat(),
        "time_zone": "Australia/Sydney",
        "capacity": "40",
        "status": event.status,
        "talks-TOTAL_FORMS": "0",
        "talks-INITIAL_FORMS": "0",
        "rsvp_settings-TOTAL_FORMS": "0",
        "rsvp_settings-INITIAL_FORMS": "0",
    }
    return data | changes


def test_publishing_in_the_admin_emails_members_once(client, draft, members):
    """Guards: the admin's save published silently (no `event_published`), so an event put
    live there reached no member."""
    root = factories.make_user(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    url = f"/admin/meetups/event/{draft.pk}/change/"

    response = client.post(url, _admin_form(draft, status="published"))
    assert response.status_code == 302, response.context and response.context["errors"]
    assert _recipients() == sorted(m.email for m in members)

    # Saved again while published, and drafted and published again: nobody emailed twice.
    draft.refresh_from_db()
    client.post(url, _admin_form(draft, title="Async Django night (updated)"))
    client.post(url, _admin_form(draft, status="draft"))
    client.post(url, _admin_form(draft, status="published"))
    assert _recipients() == sorted(m.email for m in members)
    assert EventAnnounced.objects.filter(event=draft).count() == 1
