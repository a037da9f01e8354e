from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from meetups import selectors
from meetups.models import Event, Sponsor
from portal.errors import Kind, ServiceError
from tests.factories import make_event, make_speaker, make_talk, make_user, make_venue


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
def test_a_draft_is_refused_exactly_as_an_event_that_does_not_exist(group, member):
    """Breaks if the two refusals differ in anything a client sees (the API returns the
    message): a stranger could then find the slugs of unpublished events."""
    draft = make_event(group=group, status=Event.Status.DRAFT)
    refusals = []
    for slug in (draft.slug, "no-such-event"):
        with pytest.raises(ServiceError) as refused:
            selectors.event_get_for_viewer(slug=slug, user=member)
        refusals.append((refused.value.kind, refused.value.message, refused.value.field))
    assert refusals[0] == refusals[1]
    assert refusals[0][0] == Kind.NOT_FOUND


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


def _same_row(loaded, expected) -> None:
    for field in type(expected)._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(expected, field.attname), field.name
    assert (loaded._state.adding, loaded._state.db) == (False, "default")


@pytest.mark.django_db
def test_the_event_pages_event_equals_the_orms_with_its_group_venue_and_sponsor(
    group, django_assert_num_queries
):
    """Breaks if a column lands in the wrong part or skips a converter (the event's read is
    written out: portal.rawsql), or if a related row costs a query later."""
    sponsor = Sponsor.objects.create(name="Canva", website="https://canva.example")
    event = make_event(group=group, venue=make_venue(address="110 Kippax St"), host_sponsor=sponsor)
    with django_assert_num_queries(1):
        loaded = selectors.event_get_for_viewer(
            slug=event.slug, user=AnonymousUser(), with_agenda=False
        )
        related = (loaded.group, loaded.venue, loaded.host_sponsor)
    expected = Event.objects.select_related("group", "venue", "host_sponsor").get(pk=event.pk)
    _same_row(loaded, expected)
    for ours, orms in zip(
        related, (expected.group, expected.venue, expected.host_sponsor), strict=True
    ):
        _same_row(ours, orms)
    assert loaded.starts_at.tzinfo is not None


@pytest.mark.django_db
def test_the_event_pages_event_knows_it_has_no_venue_or_sponsor_without_a_query(
    group, django_assert_num_queries
):
    event = make_event(group=group)
    with django_assert_num_queries(1):
        loaded = selectors.event_get_for_viewer(
            slug=event.slug, user=AnonymousUser(), with_agenda=False
        )
        assert (loaded.venue, loaded.host_sponsor, loaded.group.pk) == (None, None, group.pk)
    assert _not_found(
        lambda: selectors.event_get_for_viewer(slug="no-such-event", user=AnonymousUser())
    )


@pytest.mark.django_db
def test_the_event_pages_event_comes_with_its_agenda_when_asked(group, django_assert_num_queries):
    event = make_event(group=group)
    talk = make_talk(event=event)
    talk.speakers.add(make_speaker())
    with django_assert_num_queries(3):  # the event; its talks; their speakers
        loaded = selectors.event_get_for_viewer(slug=event.slug, user=AnonymousUser())
        assert [len(t.speakers.all()) for t in loaded.talks.all()] == [1]
