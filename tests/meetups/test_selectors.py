from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from meetups import selectors
from meetups.models import Event
from portal.errors import Kind, ServiceError
from tests.factories import make_event, make_speaker, make_talk, make_user


def _not_found(read) -> bool:
    """The read refuses with NOT_FOUND (a 404 on pages and the API)."""
    with pytest.raises(ServiceError) as refused:
        read()
    return refused.value.kind == Kind.NOT_FOUND


@pytest.mark.django_db
def test_event_next_skips_cancelled_and_drafts(group):
    make_event(group=group, starts_in=timedelta(days=1), status=Event.Status.CANCELLED)
    make_event(group=group, starts_in=timedelta(days=2), status=Event.Status.DRAFT)
    expected = make_event(group=group, starts_in=timedelta(days=3))
    make_event(group=group, starts_in=timedelta(days=4))

    assert selectors.event_next() == expected


@pytest.mark.django_db
def test_event_list_past_search_matches_title_talk_and_speaker(group):
    by_title = make_event(group=group, title="Concurrency night", starts_in=-timedelta(days=10))
    by_talk = make_event(group=group, title="March meetup", starts_in=-timedelta(days=20))
    make_talk(event=by_talk, title="Async views in practice")
    by_speaker = make_event(group=group, title="April meetup", starts_in=-timedelta(days=30))
    make_talk(event=by_speaker, speakers=[make_speaker(name="Hashim Muqtadir")])
    make_event(group=group, title="Unrelated", starts_in=-timedelta(days=40))

    assert list(selectors.event_list_past(query="concurrency")) == [by_title]
    assert list(selectors.event_list_past(query="ASYNC")) == [by_talk]
    assert list(selectors.event_list_past(query="muqtadir")) == [by_speaker]
    assert len(selectors.event_list_past(query="")) == 4


@pytest.mark.django_db
def test_event_list_past_search_counts_an_event_once_with_many_matching_talks(group):
    event = make_event(group=group, title="Django", starts_in=-timedelta(days=10))
    make_talk(event=event, title="Django one")
    make_talk(event=event, title="Django two")

    assert list(selectors.event_list_past(query="django")) == [event]


@pytest.mark.django_db
def test_event_get_for_viewer_hides_drafts_from_non_organisers(group, organiser, member):
    draft = make_event(group=group, status=Event.Status.DRAFT)

    assert _not_found(lambda: selectors.event_get_for_viewer(slug=draft.slug, user=AnonymousUser()))
    assert _not_found(lambda: selectors.event_get_for_viewer(slug=draft.slug, user=member))
    assert selectors.event_get_for_viewer(slug=draft.slug, user=organiser) == draft


@pytest.mark.django_db
def test_event_get_for_viewer_hides_drafts_from_other_groups_organisers(group):
    draft = make_event(group=group, status=Event.Status.DRAFT)
    other_organiser = make_user()
    make_event().group.organisers.add(other_organiser)

    assert _not_found(lambda: selectors.event_get_for_viewer(slug=draft.slug, user=other_organiser))


@pytest.mark.django_db
def test_speaker_get_public_lists_only_published_talks(group):
    speaker = make_speaker()
    shown = make_talk(event=make_event(group=group), speakers=[speaker])
    make_talk(event=make_event(group=group, status=Event.Status.DRAFT), speakers=[speaker])

    assert list(selectors.speaker_get_public(slug=speaker.slug).talks.all()) == [shown]


@pytest.mark.django_db
def test_talk_get_public_404s_for_draft_events(group):
    talk = make_talk(event=make_event(group=group, status=Event.Status.DRAFT))

    assert _not_found(lambda: selectors.talk_get_public(slug=talk.slug))
