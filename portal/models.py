"""Personal API tokens: how scripts and apps act as a member without a browser session."""

import hashlib
import secrets

from django.conf import settings
from django.db import models

TOKEN_PREFIX = "mp_"  # noqa: S105 - a visible prefix, not a secret


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """Only a hash is stored; the raw token is shown once, when it is created."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=60)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @staticmethod
    def new_raw_token() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)


class Profile(models.Model):
    """Settings of one person that the user row has no column for. Created on first save."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_profile"
    )
    # An IANA name from zoneinfo.available_timezones(), or "" for "the event's own zone only".
    time_zone = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"Profile of {self.user}"
