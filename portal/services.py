"""Writes for portal-wide records (API tokens)."""

from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from .models import ApiToken, hash_token

MAX_TOKENS_PER_USER = 10
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenLimitReached(Exception):
    pass


def api_token_create(*, user: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the record and the raw token (shown once, never stored)."""
    if ApiToken.objects.filter(user=user).count() >= MAX_TOKENS_PER_USER:
        raise TokenLimitReached(f"You can have at most {MAX_TOKENS_PER_USER} tokens.")
    raw = ApiToken.new_raw_token()
    token = ApiToken.objects.create(user=user, name=name.strip()[:60], token_hash=hash_token(raw))
    return token, raw


def api_token_revoke(*, user: AbstractBaseUser, token_id: int) -> bool:
    """Deletes one of the user's own tokens; another user's id changes nothing."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return deleted > 0


def api_token_authenticate(*, raw: str) -> AbstractBaseUser | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    # "Last used" to the minute is what the profile page shows; writing it on every call would
    # add an UPDATE to every API request (and to every RSVP of a rush).
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
