"""Who may do what with notifications.

Email preferences belong to the signed-in person (`notify.manage_preferences`); an unsubscribe
link needs no login (the signed token is the permission, see `notify.unsubscribe`).
Announcements are sent and listed by the group's organisers: meetups' `is_group_organiser`,
registered here as `notify.announce`; anyone else is told the group does not exist (404).
"""

import rules

from meetups.models import Group
from meetups.rules import is_group_organiser
from portal.errors import not_found

can_announce = is_group_organiser
can_manage_preferences = rules.is_authenticated


def require_announcer(user, group: Group) -> None:
    """Refuse (NOT_FOUND) unless `user` may send and see `group`'s announcements."""
    if not can_announce(user, group):
        raise not_found()


rules.add_perm("notify.announce", can_announce)
rules.add_perm("notify.manage_preferences", can_manage_preferences)
