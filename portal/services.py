"""Writes for portal-wide records (API tokens)."""

from datetime import timedelta
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.utils import timezone

from .models import ApiToken, hash_token
from .rawsql import Columns, one_row

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
def _token_and_user() -> tuple[Columns, Columns, str]:
    """A token by its hash (unique) with its user, if active. Written out: it runs on every API
    request with a token, and the ORM took longer to build the join than the database to
    answer it."""
    quote = connection.ops.quote_name
    user_model = get_user_model()
    token, user = Columns(ApiToken, "t"), Columns(user_model, "u")
    sql = (
        f"SELECT {token.sql}, {user.sql} FROM {quote(ApiToken._meta.db_table)} t "  # noqa: S608
        f"INNER JOIN {quote(user_model._meta.db_table)} u "
        f"ON u.{quote('id')} = t.{quote('user_id')} "
        f"WHERE t.{quote('token_hash')} = %s AND u.{quote('is_active')} = %s"
    )
    return token, user, sql


def api_token_authenticate(*, raw: str) -> AbstractBaseUser | None:
    token_columns, user_columns, sql = _token_and_user()
    values = one_row(sql, [hash_token(raw), True], token_columns, user_columns)
    if values is None:
        return None
    token, user = token_columns.instance(values[0]), user_columns.instance(values[1])
    # "Last used" to the minute is what the profile page shows; writing it on every call would
    # add an UPDATE to every API request (and to every RSVP of a rush).
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # Written out as well: the ORM took longer to build this UPDATE than to run it, on
        # a client's first request of each minute (every RSVP of a rush's first round).
        with connection.cursor() as cursor:
            cursor.execute(_touch_sql(), [connection.ops.adapt_datetimefield_value(now), token.pk])
    return user


@cache
def _touch_sql() -> str:
    quote = connection.ops.quote_name
    return (
        f"UPDATE {quote(ApiToken._meta.db_table)} SET {quote('last_used_at')} = %s "  # noqa: S608
        f"WHERE {quote('id')} = %s"
    )
