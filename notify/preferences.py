"""Whether a person wants a category of a group's emails (the public question other apps ask).

`wants(user=, group=, category=)` is one query: a stored row says "off" (or "on"), no row means
the category's default (`notify.models.CATEGORY_DEFAULTS`). For sending to many people, ask
`notify.selectors.members_wanting(group=, category=)` instead (one query for the whole list).
"""

from django.contrib.auth.models import AbstractBaseUser

from meetups.models import Group

from .models import CATEGORY_DEFAULTS, Category, Preference


def check_category(category: str) -> str:
    if category not in CATEGORY_DEFAULTS:
        raise ValueError(f"unknown email category: {category!r}")
    return category


def wants(*, user: AbstractBaseUser, group: Group, category: str) -> bool:
    """True if `user` wants `category` emails from `group` (one query; none for anonymous)."""
    check_category(category)
    if not user.is_authenticated:
        return False
    stored = (
        Preference.objects.filter(user=user, group=group, category=category)
        .values_list("enabled", flat=True)
        .first()
    )
    return CATEGORY_DEFAULTS[category] if stored is None else stored


__all__ = ["Category", "check_category", "wants"]
