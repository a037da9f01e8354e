"""A repeated RSVP or cancellation writes nothing and takes no write lock (#11, item 5); the
first one still writes."""

import pytest

from rsvp import services
from rsvp.models import Rsvp
from tests.noop import no_write

pytestmark = pytest.mark.django_db


def test_rsvp_again_is_answered_without_a_write(small_event, member):
    first = services.rsvp_create(event=small_event, user=member)
    with no_write():
        again = services.rsvp_create(event=small_event, user=member)
    assert (first.changed, again.changed, again.rsvp.pk) == (True, False, first.rsvp.pk)
    assert Rsvp.objects.get().status == Rsvp.Status.GOING


def test_cancel_again_is_answered_without_a_write(small_event, member):
    rsvp = services.rsvp_create(event=small_event, user=member).rsvp
    assert services.rsvp_cancel(rsvp_id=rsvp.pk, user=member).changed is True
    with no_write():
        again = services.rsvp_cancel(rsvp_id=rsvp.pk, user=member)
    assert (again.changed, again.rsvp.status) == (False, Rsvp.Status.CANCELLED)


def test_cancel_of_someone_elses_rsvp_is_not_found_without_a_write(small_event, member, people):
    rsvp = services.rsvp_create(event=small_event, user=member).rsvp
    with no_write(), pytest.raises(Exception) as refused:
        services.rsvp_cancel(rsvp_id=rsvp.pk, user=people[0])
    assert refused.value.status == 404


def test_rsvp_after_a_cancellation_writes_again(small_event, member):
    rsvp = services.rsvp_create(event=small_event, user=member).rsvp
    services.rsvp_cancel(rsvp_id=rsvp.pk, user=member)
    assert services.rsvp_create(event=small_event, user=member).changed is True
    assert Rsvp.objects.get().status == Rsvp.Status.GOING
