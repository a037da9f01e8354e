"""What the mutation run of notify/rules.py and notify/services.py found untested
(docs/testing.md, "Mutation testing"): the refusals' kind, message and field, and the edges of
the announcements' 24-hour budget.

Each test names the break it guards; each was checked against the mutant it was written for."""

from datetime import timedelta

import pytest
import time_machine

from notify.models import Announcement, Preference
from notify.services import announcement_check, announcement_send, preference_set
from portal.errors import Kind, ServiceError
from tests import factories

from .conftest import join

pytestmark = pytest.mark.django_db

NOBODY = "No member of this group wants announcements yet."


def _refusal(call, **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as refused:
        call(**kwargs)
    return refused.value


def _as_tuple(error: ServiceError) -> tuple:
    return (error.kind, error.message, error.field)


def _send(user, group):
    return announcement_send(user=user, group=group, subject="Venue change", body="Level 3.")


def test_preference_of_an_unknown_category_is_refused_and_not_stored(group, member):
    """Breaks: the message or field of the refusal changed or dropped."""
    error = _refusal(preference_set, user=member, group=group, category="spam", enabled=False)

    assert _as_tuple(error) == (Kind.INVALID, "Choose one of the email categories.", "category")
    assert Preference.objects.count() == 0


@pytest.mark.parametrize("call", [announcement_check, announcement_send])
def test_announcement_with_nobody_to_reach_says_so(organiser, group, call):
    """Breaks: the message of either refusal changed or dropped."""
    error = _refusal(call, user=organiser, group=group, subject="s", body="b")

    assert _as_tuple(error) == (Kind.CONFLICT, NOBODY, None)
    assert Announcement.objects.count() == 0


def test_announcement_budget_counts_one_sent_exactly_24_hours_ago(
    organiser, group, members, settings
):
    """Breaks: the window's start left out of the count (`created_at > since`), or the budget
    checked with `>` (one announcement more than the setting)."""
    settings.NOTIFY_ANNOUNCEMENTS_PER_DAY = 1
    with time_machine.travel("2030-05-01 09:00Z", tick=False) as clock:
        _send(organiser, group)
        clock.shift(timedelta(days=1))

        error = _refusal(_send, user=organiser, group=group)

        assert _as_tuple(error) == (
            Kind.RATE_LIMITED,
            f"{group.name} has sent 1 announcements in the last 24 hours, the most it may; "
            "try again tomorrow.",
            None,
        )
        clock.shift(timedelta(microseconds=1))
        assert _send(organiser, group).subject == "Venue change"
    assert Announcement.objects.filter(group=group).count() == 2


def test_announcement_check_gives_the_budgets_refusal(organiser, group, members, settings):
    """Breaks: the preview not checking the budget (it would offer a send that is refused)."""
    settings.NOTIFY_ANNOUNCEMENTS_PER_DAY = 1
    _send(organiser, group)

    error = _refusal(announcement_check, user=organiser, group=group, subject="s", body="b")

    assert error.kind == Kind.RATE_LIMITED


def test_announcement_of_the_longest_subject_and_body_is_sent(organiser, group, members):
    """Breaks: either length bound off by one (a subject or body of exactly the limit refused)."""
    subject = "s" * Announcement.SUBJECT_MAX_LENGTH
    body = "b" * Announcement.BODY_MAX_LENGTH

    announcement = announcement_send(user=organiser, group=group, subject=subject, body=body)

    assert (len(announcement.subject), len(announcement.body)) == (
        Announcement.SUBJECT_MAX_LENGTH,
        Announcement.BODY_MAX_LENGTH,
    )


def test_announcement_budget_is_per_group(organiser, group, members, settings):
    """Breaks: the budget counting every group's announcements (another group's send would use
    up this group's)."""
    settings.NOTIFY_ANNOUNCEMENTS_PER_DAY = 1
    other = factories.make_group()
    other.organisers.add(organiser)
    join(other)
    _send(organiser, other)

    assert announcement_check(user=organiser, group=group, subject="s", body="b") == 3
    assert _send(organiser, group).group == group


def test_preference_back_to_default_removes_only_that_row(group, member):
    """Breaks: the delete without its person, group or category (other people's, groups' or
    categories' choices would be lost)."""
    other_group = factories.make_group()
    someone = factories.make_user()
    for user, in_group, category in [
        (member, group, "events"),
        (member, group, "recaps"),
        (member, other_group, "events"),
        (someone, group, "events"),
    ]:
        preference_set(user=user, group=in_group, category=category, enabled=False)

    preference_set(user=member, group=group, category="events", enabled=True)

    assert set(Preference.objects.values_list("user", "group", "category")) == {
        (member.pk, group.pk, "recaps"),
        (member.pk, other_group.pk, "events"),
        (someone.pk, group.pk, "events"),
    }
