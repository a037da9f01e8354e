"""Who may use the organiser's tools.

The rule "organises this group" is meetups' `is_group_organiser` (the owner, co-organisers and
staff; registered there as `meetups.organise_group`). `require_organiser` is the one guard every
organise view, API route and service puts in front of it: anyone else is told that the group
or event does not exist (404), so an organiser of another group learns nothing either.
"""

import rules

from meetups.models import Event, Group
from meetups.rules import is_group_organiser
from portal.errors import not_found

from .models import OrganiserInvitation


def require_organiser(user, obj: Group | Event, *, message: str = "Not found.") -> None:
    """Refuse (NOT_FOUND) unless `user` organises the group of `obj`."""
    if not is_group_organiser(user, obj):
        raise not_found(message)


@rules.predicate
def is_invitee(user, invitation: OrganiserInvitation | None) -> bool:
    """An organiser invitation is accepted by the person it was sent to: same email address."""
    if invitation is None or not user.is_authenticated:
        return False
    return (user.email or "").lower() == invitation.email.lower()


rules.add_perm("organise.accept_invitation", is_invitee)
