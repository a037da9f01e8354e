from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from meetups.models import Event, unique_slug
from tests.factories import make_event


@pytest.mark.django_db
def test_event_queryset_upcoming_and_past_split_on_end_time(group):
    now = timezone.now()
    running = make_event(group=group, starts_at=now - timedelta(hours=1))
    future = make_event(group=group, starts_in=timedelta(days=3))
    old = make_event(group=group, starts_in=-timedelta(days=3))

    assert list(Event.objects.upcoming()) == [running, future]
    assert list(Event.objects.past()) == [old]


@pytest.mark.django_db
def test_event_queryset_published_hides_drafts_keeps_cancelled(group):
    published = make_event(group=group, status=Event.Status.PUBLISHED)
    cancelled = make_event(group=group, status=Event.Status.CANCELLED)
    make_event(group=group, status=Event.Status.DRAFT)

    assert set(Event.objects.published()) == {published, cancelled}


@pytest.mark.django_db
def test_event_must_end_after_it_starts(group):
    start = timezone.now()
    with pytest.raises(IntegrityError):
        make_event(group=group, starts_at=start, ends_at=start)


@pytest.mark.django_db
def test_unique_slug_suffixes_taken_slugs(group):
    make_event(group=group, slug="django-night")
    make_event(group=group, slug="django-night-2")

    assert unique_slug(Event, "Django Night") == "django-night-3"
    assert unique_slug(Event, "Brand new") == "brand-new"
