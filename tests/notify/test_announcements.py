"""Organisers' announcements: checks, the daily cap, sending through the task, the page."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from notify.models import Announcement
from notify.services import announcement_check, announcement_send, preference_set
from portal.errors import Kind, ServiceError
from tests import factories


def _send(user, group, subject="Venue change", body="We meet at **Level 3** now."):
    return announcement_send(user=user, group=group, subject=subject, body=body)


def test_announcement_send_records_and_emails_members_who_want_it(organiser, group, members):
    first, second, third = members
    preference_set(user=third, group=group, category="announcements", enabled=False)
    announcement = _send(organiser, group)
    assert announcement.status == Announcement.Status.SENT
    assert announcement.recipient_count == 2
    assert announcement.sender == organiser
    assert announcement.sent_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.email, second.email])
    message = mail.outbox[0]
    assert message.subject == f"[{group.name}] Venue change"
    assert "We meet at **Level 3** now.\n" in message.body
    html, _ = message.alternatives[0]
    assert "<p>We meet at <strong>Level 3</strong> now.</p>" in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_announcement_body_sanitised_in_html(organiser, group, members):
    _send(
        organiser, group, body='Hi <script>alert(1)</script><a href="javascript:x" hx-get="/">x</a>'
    )
    html, _ = mail.outbox[0].alternatives[0]
    assert "<script>" not in html
    assert "javascript:" not in html
    assert "hx-get" not in html


@pytest.mark.parametrize(
    ("subject", "body", "field", "message"),
    [
        ("", "body", "subject", "Write a subject."),
        ("Hi", "  ", "body", "Write the announcement."),
        (
            "Two\nlines",
            "body",
            "subject",
            "Keep the subject on one line, without control characters.",
        ),
        ("x" * 151, "body", "subject", "Keep the subject to 150 characters."),
        ("Hi", "x" * 5001, "body", "Keep the announcement to 5000 characters."),
        ("Hi", "bell\x07", "body", "Remove the control characters from this text."),
    ],
)
def test_announcement_invalid_fields(organiser, group, members, subject, body, field, message):
    with pytest.raises(ServiceError) as refused:
        _send(organiser, group, subject=subject, body=body)
    assert (refused.value.kind, refused.value.field, refused.value.message) == (
        Kind.INVALID,
        field,
        message,
    )
    assert Announcement.objects.count() == 0


def test_announcement_by_non_organiser_is_not_found(group, members):
    with pytest.raises(ServiceError) as refused:
        _send(members[0], group)
    assert refused.value.kind == Kind.NOT_FOUND
    other_organiser = factories.make_user()
    factories.make_group().organisers.add(other_organiser)
    with pytest.raises(ServiceError) as refused:
        announcement_check(user=other_organiser, group=group, subject="s", body="b")
    assert refused.value.kind == Kind.NOT_FOUND


def test_announcement_with_nobody_to_reach_is_a_conflict(organiser, group):
    with pytest.raises(ServiceError) as refused:
        _send(organiser, group)
    assert refused.value.kind == Kind.CONFLICT
    assert Announcement.objects.count() == 0


def test_announcement_daily_cap_per_group(organiser, group, members, settings):
    settings.NOTIFY_ANNOUNCEMENTS_PER_DAY = 2
    with time_machine.travel("2030-05-01 09:00Z", tick=False) as clock:
        _send(organiser, group)
        clock.shift(timedelta(hours=12))
        _send(organiser, group)
        with pytest.raises(ServiceError) as refused:
            _send(organiser, group)
        assert refused.value.kind == Kind.RATE_LIMITED
        with pytest.raises(ServiceError):
            announcement_check(user=organiser, group=group, subject="s", body="b")
        other = factories.make_group()
        other.organisers.add(organiser)
        factories.make_user()
        clock.shift(timedelta(hours=12, minutes=1))
        _send(organiser, group)
    assert Announcement.objects.filter(group=group).count() == 3


def test_announcement_check_counts_without_recording(organiser, group, members):
    assert announcement_check(user=organiser, group=group, subject="s", body="b") == 3
    assert Announcement.objects.count() == 0
    assert mail.outbox == []


# The page


def _url(group):
    return reverse("notify:announcements", kwargs={"group": group.slug})


def test_page_preview_then_send(client, organiser, group, members):
    client.force_login(organiser)
    data = {"subject": "Pizza", "body": "There will be *pizza*."}
    response = client.post(_url(group), {**data, "step": "preview"})
    assert response.status_code == 200
    assert response.context["recipient_count"] == 3
    body = response.content.decode()
    assert "<p>There will be <em>pizza</em>.</p>" in body
    assert "Send to 3</button>" in body
    assert mail.outbox == []
    response = client.post(_url(group), {**data, "step": "send"})
    assert response.status_code == 302
    assert response["Location"] == _url(group)
    assert len(mail.outbox) == 3
    page = client.get(_url(group)).content.decode()
    assert "Sent to 3 members" in page


def test_page_invalid_htmx_answers_the_form_with_422(client, organiser, group, members):
    client.force_login(organiser)
    response = client.post(
        _url(group), {"subject": "", "body": "b", "step": "preview"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert response.templates[0].name == "compose"
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="compose">')
    assert '<p class="field-error" id="id_subject_error">This field is required.</p>' in body


def test_page_rate_limited_answers_429_in_the_form(client, organiser, group, members, settings):
    settings.NOTIFY_ANNOUNCEMENTS_PER_DAY = 1
    client.force_login(organiser)
    data = {"subject": "s", "body": "b", "step": "send"}
    assert client.post(_url(group), data).status_code == 302
    response = client.post(_url(group), data)
    assert response.status_code == 429
    assert "the most it may; try again tomorrow." in response.content.decode()


def test_page_list_query_count(client, organiser, group, members, django_assert_num_queries):
    for n in range(3):
        Announcement.objects.create(group=group, sender=members[n], subject=f"S{n}", body="b")
    client.force_login(organiser)
    client.get(_url(group))  # warm the session and the site's caches
    with django_assert_num_queries(6):
        response = client.get(_url(group))
    assert [a.subject for a in response.context["sent"]] == ["S2", "S1", "S0"]
    for n in range(3, 8):
        Announcement.objects.create(
            group=group, sender=factories.make_user(), subject=f"S{n}", body="b"
        )
    with django_assert_num_queries(6):
        response = client.get(_url(group))
    assert len(response.context["sent"]) == 8
