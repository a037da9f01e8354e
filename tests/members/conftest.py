import pytest

from members import services
from members.models import Membership
from tests import factories


@pytest.fixture
def joined(group, member) -> Membership:
    """`member` is a member of `group`."""
    membership, _ = services.membership_join(group=group, user=member)
    return membership


@pytest.fixture
def banned(group, organiser, db) -> Membership:
    """Someone banned from `group`, with a reason."""
    person = factories.make_user(username="banned", first_name="Bea Banned")
    membership, _ = services.membership_join(group=group, user=person)
    return services.member_ban(
        group=group, membership_id=membership.pk, user=organiser, reason="Spam in the Q&A"
    )


BAN_MESSAGE = "You have been banned from {group} by its organisers: Spam in the Q&A"


def fresh(user):
    """The user as a new request sees it (no answers kept from earlier rules)."""
    return type(user).objects.get(pk=user.pk)
