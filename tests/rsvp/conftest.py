import pytest

from rsvp.models import RsvpSettings
from tests import factories


@pytest.fixture
def small_event(group):
    """A published event next week with 3 seats and up to 2 guests each."""
    event = factories.make_event(group=group, capacity=3)
    RsvpSettings.objects.create(event=event, guests_allowed=2)
    return event


@pytest.fixture
def people(db):
    return [factories.make_user(username=f"p{n}") for n in range(6)]
