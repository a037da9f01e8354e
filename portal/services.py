"""Writes for portal-wide records (API tokens)."""

from datetime import UTC, timedelta
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

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


@cache
def _token_user_sql() -> str:
    """The active user a token hash belongs to, with the token's id and last use. Written out:
    it runs on every API request with a token, and the ORM took longer to build the join than
    the database to answer it. SQL that SQLite and PostgreSQL both take."""
    quote = connection.ops.quote_name
    user_model = get_user_model()
    columns = ", ".join(f"u.{quote(f.column)}" for f in user_model._meta.concrete_fields)
    # Identifiers from the models, values as parameters.
    return (
        f"SELECT {columns}, t.{quote('id')} AS {quote('token_id')}, "  # noqa: S608
        f"t.{quote('last_used_at')} AS {quote('token_last_used_at')} "
        f"FROM {quote(user_model._meta.db_table)} u "
        f"INNER JOIN {quote(ApiToken._meta.db_table)} t ON t.{quote('user_id')} = u.{quote('id')} "
        f"WHERE t.{quote('token_hash')} = %s AND u.{quote('is_active')} = %s"
    )


def api_token_authenticate(*, raw: str) -> AbstractBaseUser | None:
    rows = get_user_model().objects.raw(_token_user_sql(), [hash_token(raw), True])
    user = next(iter(rows), None)  # the hash is unique: one row at most
    if user is None:
        return None
    # "Last used" to the minute is what the profile page shows; writing it on every call would
    # add an UPDATE to every API request (and to every RSVP of a rush).
    now = timezone.now()
    last_used = user.token_last_used_at
    if isinstance(last_used, str):
        last_used = parse_datetime(last_used)
    if last_used is not None and timezone.is_naive(last_used):
        # SQLite hands back a column outside the model as stored: UTC, without the zone.
        last_used = last_used.replace(tzinfo=UTC)
    if last_used is None or now - last_used >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=user.token_id).update(last_used_at=now)
    return user
