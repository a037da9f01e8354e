import pytest

from members.models import Membership
from tests import factories


def join(group, user=None, **fields) -> Membership:
    """`user` (a new one by default) as an active member of `group`."""
    return Membership.objects.create(group=group, user=user or factories.make_user(), **fields)


@pytest.fixture
def members(group):
    """Three active members of `group`, in id order."""
    return [join(group).user for _ in range(3)]
