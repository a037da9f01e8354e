"""Hooks for "your data": every app says what it holds about a person, and forgets it.

The portal is the bottom layer, so it cannot ask the apps above it directly; each app that
stores personal data connects receivers to these two signals in its `AppConfig.ready()`.

- `personal_data_requested(sender=None, user=...)`: a receiver returns `(section, data)`, where
  `section` is a short name ("rsvps", "questions") and `data` is JSON-serialisable (lists of
  dicts, ISO 8601 times). The export is the merge of every receiver's answer.
- `account_erasing(sender=None, user=...)`: a receiver undoes or anonymises that app's part
  inside the caller's transaction (cancel RSVPs through the seat service so the waitlist moves,
  keep questions as "deleted member", withdraw proposals, revoke tokens, drop memberships). The
  account row itself is erased last by the caller.

`personal_data_export` and `account_erase` below are the callers (the profile page and the
API use them). The account row is anonymised rather than deleted: questions, votes, reviews
and past attendance point at it (several with `on_delete=CASCADE`), and they are kept so that
counts and Q&A threads stay whole; with no name, email, username or password left, the row
names nobody (docs/your-data.md).
"""

import json
import secrets
from datetime import UTC, datetime

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sessions.models import Session
from django.db import transaction
from django.dispatch import Signal, receiver
from django.utils import timezone

from .errors import conflict, invalid
from .models import ApiToken, Profile

personal_data_requested = Signal()
account_erasing = Signal()

DELETED_MEMBER_NAME = "Deleted member"
DELETED_USERNAME_PREFIX = "deleted-member-"
EXPORT_FORMAT_VERSION = 1


def iso(moment: datetime | None) -> str | None:
    """A time as the export writes it: ISO 8601 in UTC, or None."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat()


def _account_section(user: AbstractBaseUser) -> dict:
    return {
        "username": user.get_username(),
        "display_name": user.get_full_name(),
        "email": user.email,
        "date_joined": iso(user.date_joined),
        "last_login": iso(user.last_login),
    }


def personal_data_export(*, user: AbstractBaseUser) -> dict:
    """Everything the portal holds about `user`: the account, then one section per receiver
    of `personal_data_requested`, keys sorted. Two receivers naming one section is a bug in
    one of them: refused with a ValueError rather than one silently hiding the other."""
    sections: dict = {"account": _account_section(user)}
    for _receiver, answer in personal_data_requested.send(sender=None, user=user):
        if answer is None:
            continue
        section, data = answer
        if section in sections:
            raise ValueError(f"Two receivers answered the personal data section {section!r}.")
        sections[section] = data
    return {
        "format": EXPORT_FORMAT_VERSION,
        "exported_at": iso(timezone.now()),
        "sections": dict(sorted(sections.items())),
    }


def personal_data_json(*, user: AbstractBaseUser) -> str:
    """The export as the download carries it: sorted keys, indented, UTF-8."""
    return json.dumps(personal_data_export(user=user), sort_keys=True, indent=2, ensure_ascii=False)


def password_check(*, user: AbstractBaseUser, password: str) -> None:
    """The confirmation asked before an account is deleted: the account's password."""
    if not password or not user.check_password(password):
        raise invalid("That is not your password.", field="password")


def account_erase(*, user: AbstractBaseUser) -> None:
    """Erase `user`'s account in one transaction: every `account_erasing` receiver undoes or
    anonymises its app's part (RSVPs cancelled so the waitlist moves and the promoted people
    are emailed after commit; proposals withdrawn; tokens revoked; ...), then the account row
    loses its name, email, username and password and can no longer sign in. Its sessions end.
    A receiver's refusal rolls everything back."""
    if not user.is_active:
        raise conflict("This account is already closed.")
    with transaction.atomic():
        locked = get_user_model().objects.select_for_update().get(pk=user.pk)
        account_erasing.send(sender=None, user=locked)
        locked.username = DELETED_USERNAME_PREFIX + secrets.token_hex(6)
        locked.first_name = DELETED_MEMBER_NAME
        locked.last_name = ""
        locked.email = ""
        locked.set_unusable_password()
        locked.is_active = False
        locked.is_staff = False
        locked.is_superuser = False
        locked.last_login = None
        locked.save()
        locked.groups.clear()
        locked.user_permissions.clear()
    user.refresh_from_db()


def _user_sessions(user: AbstractBaseUser) -> list[str]:
    keys = []
    now = timezone.now()
    for session in Session.objects.filter(expire_date__gt=now).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            keys.append(session.session_key)
    return keys


def sessions_end(*, user: AbstractBaseUser) -> int:
    """Deletes every stored session signed in as `user` (the changed password ends any other,
    since Django checks the session's password hash on each request)."""
    deleted, _ = Session.objects.filter(session_key__in=_user_sessions(user)).delete()
    return deleted


# --- the portal's own part: API tokens, the profile, email addresses, sessions ------------------


@receiver(personal_data_requested, dispatch_uid="portal.personal_data.api_tokens")
def _export_api_tokens(sender, user, **kwargs):
    tokens = ApiToken.objects.filter(user=user).order_by("created_at", "pk")
    return "api_tokens", [
        {"name": t.name, "created_at": iso(t.created_at), "last_used_at": iso(t.last_used_at)}
        for t in tokens
    ]


@receiver(personal_data_requested, dispatch_uid="portal.personal_data.profile")
def _export_profile(sender, user, **kwargs):
    emails = EmailAddress.objects.filter(user=user).order_by("email")
    return "profile", {
        "time_zone": Profile.objects.filter(user=user).values_list("time_zone", flat=True).first()
        or "",
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary} for e in emails
        ],
    }


@receiver(account_erasing, dispatch_uid="portal.personal_data.erase")
def _erase_portal(sender, user, **kwargs) -> None:
    ApiToken.objects.filter(user=user).delete()
    Profile.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    sessions_end(user=user)
