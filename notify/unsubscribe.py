"""One-click unsubscribe (RFC 8058): a signed link per person, group and category.

The token is `django.core.signing` output (salt "notify.unsubscribe", so no other signed value
of the portal can pass for it) carrying the user's id, the group's id and the category, with
the time it was made; it expires after `settings.NOTIFY_UNSUBSCRIBE_MAX_AGE_DAYS`. Anyone
holding the link may turn that one category of that one group off for that one person, which
is what the link in their email is for; nothing else can be done with it.

Every non-transactional email carries `unsubscribe_headers(...)`: `List-Unsubscribe` with the
link and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, so a mail client can unsubscribe
with one POST and no page; the footer links to the same URL, whose GET only asks to confirm
(mail scanners fetch links; a GET changes nothing).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.urls import reverse

from meetups.models import Group

from .models import Category
from .preferences import check_category

SALT = "notify.unsubscribe"


def unsubscribe_token(*, user: AbstractBaseUser, group: Group, category: str) -> str:
    return signing.dumps([user.pk, group.pk, check_category(category)], salt=SALT)


def unsubscribe_url(*, user: AbstractBaseUser, group: Group, category: str) -> str:
    """The absolute link that turns `category` of `group` off for `user` (no login needed)."""
    token = unsubscribe_token(user=user, group=group, category=category)
    return settings.SITE_URL + reverse("notify:unsubscribe", kwargs={"token": token})


def unsubscribe_headers(*, user: AbstractBaseUser, group: Group, category: str) -> dict[str, str]:
    """The RFC 2369 / RFC 8058 headers for an email of `category` from `group` to `user`."""
    url = unsubscribe_url(user=user, group=group, category=category)
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


@dataclass(frozen=True)
class UnsubscribeLink:
    user: AbstractBaseUser
    group: Group
    category: str

    @property
    def category_label(self) -> str:
        return Category(self.category).label


def unsubscribe_link_read(token: str) -> UnsubscribeLink | None:
    """What a token asks for, or None if it is not one of ours, was altered, has expired, or
    names a person or group that no longer exists."""
    if len(token) > 200:
        return None
    try:
        payload = signing.loads(
            token, salt=SALT, max_age=timedelta(days=settings.NOTIFY_UNSUBSCRIBE_MAX_AGE_DAYS)
        )
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not (
        isinstance(payload, list)
        and len(payload) == 3
        and all(isinstance(part, int) and not isinstance(part, bool) for part in payload[:2])
        and payload[2] in Category.values
    ):
        return None
    user_id, group_id, category = payload
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    group = Group.objects.filter(pk=group_id).first()
    if user is None or group is None:
        return None
    return UnsubscribeLink(user=user, group=group, category=category)
