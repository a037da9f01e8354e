"""The invitation-token flow, written once: an unguessable token in an emailed link, the
invitation looked up by that token, accepted once (a row lock turns two racing clicks into one
acceptance and one refusal), within its validity period if it has one.

A model with a `token` column (unique, at most `TOKEN_MAX_LENGTH` characters, default
`invitation_token_new`) plugs in: pages and services look it up with `invitation_get`, and the
accepting service, inside `transaction.atomic()`, takes it with `invitation_claim` and records
the acceptance on the row it got. Used by cfp's co-speaker invitations; organise's organiser
invitations are the same flow.
"""

import secrets
from collections.abc import Callable
from datetime import datetime

from django.db.models import Model, QuerySet
from django.utils import timezone

from .errors import conflict, forbidden, not_found

TOKEN_MAX_LENGTH = 64


def invitation_token_new() -> str:
    """32 random bytes, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def invitation_get[M: Model](queryset: QuerySet[M], *, token: str) -> M:
    """The invitation in `queryset` with this token. NOT_FOUND for an unknown token, and for
    one that cannot be a token (empty, longer than the column) without asking the database."""
    invitation = None
    if token and len(token) <= TOKEN_MAX_LENGTH:
        invitation = queryset.filter(token=token).first()
    if invitation is None:
        raise not_found("No such invitation.")
    return invitation


def invitation_claim[M: Model](
    queryset: QuerySet[M],
    *,
    token: str,
    user,
    is_used: Callable[[M], bool] | None = None,
    expires_at: Callable[[M], datetime] | None = None,
    now: datetime | None = None,
) -> M:
    """Inside `transaction.atomic()`: the invitation with this token, locked for `user` to
    accept. The caller records the acceptance on it before the transaction ends, so a second
    acceptance racing this one waits for the lock and then finds it used.

    Refuses a visitor who is not signed in (FORBIDDEN), an unknown token (NOT_FOUND), an
    invitation `is_used` says is used or one past `expires_at` (CONFLICT). A queryset that
    leaves out used invitations makes a used token simply not found.
    """
    if not user.is_authenticated:
        raise forbidden("Log in to accept the invitation.")
    invitation = invitation_get(queryset.select_for_update(), token=token)
    if is_used is not None and is_used(invitation):
        raise conflict("This invitation has already been used.")
    if expires_at is not None and (now or timezone.now()) >= expires_at(invitation):
        raise conflict("This invitation has expired; ask for a new one.")
    return invitation
