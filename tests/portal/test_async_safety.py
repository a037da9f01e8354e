"""Django's async-safety check is on for every test but the browser ones (which run last and
switch it off in their own scope, tests/browser/conftest.py): an ORM call on the event loop in
the live code would fail here, as it would in production."""

import asyncio
import os

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import SynchronousOnlyOperation


def test_async_unsafe_not_allowed_outside_browser_tests():
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ


@pytest.mark.django_db
def test_orm_call_on_the_event_loop_raises():
    async def query_on_the_loop():
        return get_user_model().objects.count()

    with pytest.raises(SynchronousOnlyOperation):
        asyncio.run(query_on_the_loop())
