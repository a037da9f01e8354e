"""The organiser's reminders page: who may see and change it, and what it says."""

from datetime import timedelta

import pytest
from django.urls import reverse

from reminders.models import Delivery, ReminderPlan
from tests import factories
from tests.reminders.conftest import make_rsvp

pytestmark = pytest.mark.django_db


def _url(event):
    return reverse(
        "reminders:event_reminders", kwargs={"group": event.group.slug, "event": event.slug}
    )


def test_organisers_see_when_the_reminders_and_the_recap_go(client, organiser, event):
    event.time_zone = "UTC"
    event.save()
    rsvp = make_rsvp(event=event)
    Delivery.objects.create(
        event=event, user=rsvp.user, kind="reminder", offset_minutes=1440,
        for_time=event.starts_at, sent_at=event.starts_at - timedelta(days=1),
    )  # fmt: skip
    client.force_login(organiser)

    page = client.get(_url(event))

    day_before = event.starts_at - timedelta(days=1)
    two_hours = event.starts_at - timedelta(hours=2)
    recap = event.ends_at + timedelta(hours=2)
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        f'<span class="font-semibold">Reminder, 1 day before</span>: '
        f"{day_before:%A %-d %B %Y, %H:%M} UTC, sent to 1</li>"
    ) in html
    assert (
        f'<span class="font-semibold">Reminder, 2 hours before</span>: '
        f"{two_hours:%A %-d %B %Y, %H:%M} UTC</li>"
    ) in html
    assert (
        f'<span class="font-semibold">Recap to those who came</span>: '
        f"{recap:%A %-d %B %Y, %H:%M} UTC</li>"
    ) in html
    assert html.count('type="checkbox" name="offsets"') == 12
    assert html.count("checked") == 2


def test_the_page_runs_a_fixed_number_of_queries(
    client, organiser, event, django_assert_num_queries
):
    for _ in range(3):
        make_rsvp(event=event)
    client.force_login(organiser)
    # session, user, event, organiser check, plan, delivery counts, base template's own
    with django_assert_num_queries(7):
        assert client.get(_url(event)).status_code == 200


def test_saving_sets_the_offsets(client, organiser, event):
    client.force_login(organiser)
    response = client.post(_url(event), {"offsets": ["60", "2880"]})
    assert (response.status_code, response.url) == (302, _url(event))
    assert ReminderPlan.objects.get(event=event).offsets_minutes == [2880, 60]


def test_saving_none_turns_the_event_s_reminders_off(client, organiser, event):
    client.force_login(organiser)
    assert client.post(_url(event), {}).status_code == 302
    assert ReminderPlan.objects.get(event=event).offsets_minutes == []


def test_four_offsets_are_refused_next_to_the_field(client, organiser, event):
    client.force_login(organiser)
    response = client.post(_url(event), {"offsets": ["15", "30", "60", "120"]})
    assert response.status_code == 422
    assert (
        '<p class="field-error" id="offsets-error" tabindex="-1" data-focus-after-swap>'
        "Choose at most 3 reminders.</p>"
    ) in response.content.decode()
    assert ReminderPlan.objects.count() == 0


def test_an_offset_not_offered_is_refused(client, organiser, event):
    client.force_login(organiser)
    response = client.post(_url(event), {"offsets": ["5"]})
    assert response.status_code == 422
    assert "Select a valid choice. 5 is not one of the available choices." in (
        response.content.decode()
    )
    assert ReminderPlan.objects.count() == 0


def test_htmx_gets_the_form_alone(client, organiser, event):
    client.force_login(organiser)
    response = client.post(
        _url(event), {"offsets": ["15", "30", "60", "120"]}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert html.startswith('\n  <div id="reminders-form">')
    assert "<h1" not in html


def test_htmx_save_redirects_the_client(client, organiser, event):
    client.force_login(organiser)
    response = client.post(_url(event), {"offsets": ["60"]}, headers={"HX-Request": "true"})
    assert (response.status_code, response.headers["HX-Redirect"]) == (200, _url(event))


@pytest.mark.parametrize("method", ["get", "post"])
def test_members_and_other_groups_organisers_get_not_found(client, member, event, method):
    other = factories.make_user()
    factories.make_group().organisers.add(other)
    for user in (member, other):
        client.force_login(user)
        assert getattr(client, method)(_url(event), {"offsets": ["60"]}).status_code == 404
    assert ReminderPlan.objects.count() == 0


def test_anonymous_people_are_sent_to_log_in(client, event):
    response = client.post(_url(event), {"offsets": ["60"]})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert ReminderPlan.objects.count() == 0


def test_saves_are_rate_limited(client, organiser, event, settings, stopped_clock):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reminders.plan": "2/m"}
    client.force_login(organiser)
    assert [client.post(_url(event), {"offsets": ["60"]}).status_code for _ in range(3)] == [
        302,
        302,
        429,
    ]
